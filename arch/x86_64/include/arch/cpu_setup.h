/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-core setup (cpu.c), for the boot and AP bring-up paths. Private to
 * arch/x86_64: generic code sees only struct cpu_arch. */
#pragma once

#include <lwk/types.h>
#include <arch/cpu_arch.h>

struct cpu;
/* Make @c the running core's per-CPU block: per-CPU base registers, GDT,
 * TSS with its IST stacks @ist_top, IDT, protection features, user entry. */
void cpu_init(struct cpu *c, const uint64_t ist_top[IST_COUNT]);

/* SPDX-License-Identifier: GPL-2.0-only */
/* What the PC boot path (boot/pc/start.c) needs from x86_64 before the
 * kernel proper runs. */
#pragma once

#include <lwk/types.h>

/* Make cpus[0] the running boot core, on the stack that ends at
 * @stack_top: its APIC ID, exception handling (IDT and IST stacks), GDT,
 * TSS and per-CPU pointer, so that faults are reported from here on.
 * Returns the boot core's APIC ID. */
uint32_t arch_boot_cpu_early_init(uint64_t stack_top);
/* Measure the TSC's frequency and use it; returns it (0: unknown). */
uint64_t arch_tsc_calibrate(void);
/* The CMOS real-time clock's register @reg. */
uint8_t arch_cmos_read(uint8_t reg);

/* SPDX-License-Identifier: GPL-2.0-only */
/* The x86_64 part of struct cpu (lwk/cpu.h): each core's own GDT and TSS. */
#pragma once

#include <lwk/types.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

_Static_assert(sizeof(struct tss) == 104, "TSS layout (SDM vol. 3 fig. 8-11)");

/* IST slots (1-based, as the IDT encodes them). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3
#define IST_COUNT 3

struct cpu_arch {
	uint64_t gdt[7]; /* null, kernel code/data, user data/code, TSS (2) */
	struct tss tss;
	uint64_t ist_top[IST_COUNT];
	uint64_t stack_base; /* lowest address of the kernel stack */
};

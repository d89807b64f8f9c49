/* SPDX-License-Identifier: GPL-2.0-only */
/* The register frame that trap.S builds. Private to arch/x86_64. */
#pragma once

#include <lwk/types.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

#define VEC_TIMER 0xef
#define VEC_IPI_CALL 0xf0
#define VEC_APIC_ERROR 0xfe
#define VEC_SPURIOUS 0xff

void trap_dispatch(struct trap_frame *tf);
void idt_init(void);
void idt_load(void);

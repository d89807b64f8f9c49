/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * The AP start trampoline's parameter block. The trampoline code and this
 * block share one 4 KiB page below 1 MiB; the starting side (the kernel's
 * boot core, or lwk.ko in partition mode) fills the block, sends
 * INIT-SIPI-SIPI with vector = page >> 12, and the AP goes from real mode
 * straight to 64-bit mode and jumps to @entry with @arg in %rdi.
 *
 * The trampoline reads the block through fixed offsets that are generated
 * from this struct (asm-offsets), so the asserts below are the contract.
 */
#pragma once

#include <stdint.h>
#include <uapi/lwk/abi.h>

#define LWK_TRAMPOLINE_PARAMS_OFFSET 0xf00
#define LWK_TRAMPOLINE_MAGIC 0x4c574b54u /* "LWKT" */

struct lwk_trampoline_params {
	uint32_t magic;
	uint32_t cr3;	       /* physical, below 4 GiB: maps this page 1:1 and @entry */
	uint32_t far_offset;   /* linear address of the 64-bit code in this page */
	uint16_t far_selector; /* 64-bit code selector in @gdt */
	uint16_t gdt_limit;    /* gdt_limit + gdt_base form the lgdt operand */
	uint32_t gdt_base;     /* linear address of @gdt */
	uint32_t started;      /* set to 1 by the AP once in 64-bit mode */
	uint64_t gdt[3];       /* null, 64-bit code, data */
	uint64_t entry;	       /* kernel virtual address to jump to */
	uint64_t stack_top;    /* kernel virtual address of the AP's stack */
	uint64_t arg;	       /* passed in %rdi */
};

LWK_STATIC_ASSERT(sizeof(struct lwk_trampoline_params) == 72);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_trampoline_params, cr3) == 4);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_trampoline_params, far_offset) == 8);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_trampoline_params, gdt_limit) == 14);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_trampoline_params, gdt_base) == 16);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_trampoline_params, started) == 20);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_trampoline_params, gdt) == 24);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_trampoline_params, entry) == 48);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_trampoline_params, stack_top) == 56);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_trampoline_params, arg) == 64);
LWK_STATIC_ASSERT(LWK_TRAMPOLINE_PARAMS_OFFSET + sizeof(struct lwk_trampoline_params) <= 4096);

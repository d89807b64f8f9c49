/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What x86_64 supplies to the generic arch interface (lwk/arch.h) that
 * cannot be an out-of-line call: the memory map's constants, the direct
 * map's arithmetic, the cycle counter and interrupt masking inline, and
 * its numbering of vectors and clone's arguments. Included by lwk/arch.h
 * only; generic code includes that.
 */
#pragma once

#include <lwk/types.h>
#include <arch/pause.h>

/* Kernel virtual memory map (4-level paging):
 *
 *   0xffffffffffffffff +-------------------------------+
 *                      | kernel image, linked at       |
 *                      | KERNEL_VMA + KERNEL_LINK_PHYS |
 *                      | (virt = phys + KERNEL_VMA     |
 *                      |  - kernel_phys_offset)        |
 *   0xffffffff80000000 +-------------------------------+
 *                      | device MMIO (uncached)        |
 *   0xffffc00000000000 +-------------------------------+
 *                      | direct map of owned RAM       |
 *                      | (virt = phys + DIRECT_MAP)    |
 *   0xffff800000000000 +-------------------------------+
 *                      | non-canonical hole            |
 *   0x0000800000000000 +-------------------------------+
 *                      | user space: each process laid |
 *                      | out by uapi/lwk/layout.h; its |
 *                      | first 64 KiB never mapped     |
 *   0x0000000000000000 +-------------------------------+
 */
#define KERNEL_VMA 0xffffffff80000000ull
#define DIRECT_MAP 0xffff800000000000ull
#define MMIO_BASE 0xffffc00000000000ull
/* The physical address the image is linked for. It runs from any 2 MiB
 * aligned base (lwk,kernel); kernel_phys_offset is that base minus this,
 * set once at entry before anything turns an image address into a
 * physical one, and 0 on the PC loader path. */
#define KERNEL_LINK_PHYS 0x200000ull
extern uint64_t kernel_phys_offset;

static inline void *arch_phys_to_virt(paddr_t p)
{
	return (void *)(uintptr_t)(pa_addr(p) + DIRECT_MAP);
}

static inline paddr_t arch_virt_to_phys(const void *v)
{
	uint64_t va = (uint64_t)(uintptr_t)v;

	if (va >= KERNEL_VMA)
		return pa_make(va - KERNEL_VMA + kernel_phys_offset);
	return pa_make(va - DIRECT_MAP);
}

/* The cycle counter is the TSC. */
static inline uint64_t arch_cycles(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t arch_irq_save(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}
static inline void arch_irq_restore(uint64_t flags)
{
	if (flags & (1u << 9)) /* IF */
		__asm__ volatile("sti" ::: "memory");
}
static inline void arch_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}
static inline void arch_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}
/* sti's shadow covers one instruction, hence the pause. */
static inline void arch_irq_take_pending(void)
{
	arch_irq_enable();
	arch_pause();
	arch_irq_disable();
}

#define ARCH_VECTOR_PAGE_FAULT 14
#define ARCH_VECTOR_WAKE 0xf0 /* arch_cpu_wake() */

/* clone(2)'s register arguments: rdi, rsi, rdx, r10, r8. */
#define ARCH_CLONE_ARG_FLAGS 0
#define ARCH_CLONE_ARG_STACK 1
#define ARCH_CLONE_ARG_PARENT_TID 2
#define ARCH_CLONE_ARG_CHILD_TID 3
#define ARCH_CLONE_ARG_TLS 4
#define ARCH_UNAME_MACHINE "x86_64"

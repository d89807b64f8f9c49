/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The running core's struct cpu on x86_64. GS base points at the block and
 * its first field is its own address (self), so arch_this_cpu() is one load
 * from %gs:0. FS base points at it too while the kernel runs, because
 * libfdt is built with the stack protector and reads its canary at
 * %fs:0x28. lwk/cpu.h includes this once struct cpu is complete.
 */
#pragma once

_Static_assert(__builtin_offsetof(struct cpu, self) == 0, "gs:0 is self");
_Static_assert(__builtin_offsetof(struct cpu, stack_canary) == 0x28,
	       "libfdt reads the canary at fs:0x28");

static inline struct cpu *arch_this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

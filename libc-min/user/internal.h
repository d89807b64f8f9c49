/* SPDX-License-Identifier: GPL-2.0-only */
/* libc-min user side: what its modules share and programs do not see. */
#pragma once

/* A raw system call: returns the kernel's result, setting errno and
 * returning -1 when that is an error (-4095..-1), as Linux's ABI has it. */
long lm_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

/* Called by crt0 with the initial stack pointer; never returns. */
void lm_start(long *sp) __attribute__((noreturn));

/* Write out what stdout holds; exit() calls it. */
void stdio_flush_all(void);

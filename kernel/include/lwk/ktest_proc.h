/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test processes for ktests that run user code. One is laid out as:
 *
 *   KTEST_CTL_VA   +------------------------+  2 MiB read-write: control
 *                  |                        |  blocks and stacks, as the
 *                  |                        |  test's user code wants them
 *   KTEST_CODE_VA  +------------------------+  2 MiB read-execute: a copy
 *                                              of the test's user code
 *
 * and, if asked, the rest of its memory is its arena (mmap, brk). Its end
 * is counted, so that a test can wait for it.
 */
#pragma once

#include <lwk/proc.h>

#define KTEST_CODE_VA 0x400000ull
#define KTEST_CTL_VA (KTEST_CODE_VA + MiB(2))
#define KTEST_PROC_MEM MiB(16)

/* A process named @name holding [code, code_end); NULL if it cannot be
 * made. It has no thread yet (thread_create, thread_start). */
struct proc *ktest_proc_create(const char *name, const char *code, const char *code_end,
			       bool arena);
/* The user address of @sym, a symbol in the code that starts at @code. */
uint64_t ktest_user_va(const char *code, const char *sym);

/* Test processes ended so far, and the wait status of the last. */
int ktest_procs_ended(void);
int ktest_proc_last_status(void);
/* Until @want test processes have ended in all; false after @ms. */
bool ktest_procs_wait(int want, uint64_t ms);
/* The cycle counter's value @ms from now. */
uint64_t ktest_deadline_ms(uint64_t ms);

/* Fails the running test unless @want processes ended within @ms. */
#define KTEST_EXPECT_ENDED(want, ms)                                                   \
	do {                                                                           \
		if (!ktest_procs_wait((want), (ms)))                                   \
			ktest_fail(__FILE__, __LINE__,                                 \
				   "the test process did not end within %u ms", (ms)); \
	} while (0)

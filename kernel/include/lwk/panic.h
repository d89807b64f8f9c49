/* SPDX-License-Identifier: GPL-2.0-only */
/* Panic: print why, stop every core, and leave with a failure verdict. */
#pragma once

#include <lwk/check.h>

/* The two halves of a panic, for callers (exception decoding) that print
 * their own report in between. */
void panic_begin(void);
__noreturn void panic_end(void);
bool panic_in_progress(void);
/* The core that is panicking, or -1. */
int panic_cpu(void);
/* The log, while panicking: text written, of which the first line is what
 * the channel reports as the panic (lwkctl status). */
void panic_note_output(const char *s, size_t n);

/* Arch hooks. */
/* Print the call chain from frame pointer @fp, called from @pc. */
void arch_backtrace(uint64_t fp, uint64_t pc);
void arch_stop_other_cpus(void);

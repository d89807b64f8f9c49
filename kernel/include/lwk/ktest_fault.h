/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fault injection for the tests of an LWK that fails beside Linux
 * (kernel/ktest/ktest_fault.c), linked into the ktest image only: in the
 * production kernel both functions are NULL, and kmain refuses their
 * command-line keys.
 *   lwk.test-panic-signal=N  the service core panics when it takes signal
 *                            N for a process
 *   lwk.test-hang-signal=N   it stops answering for good instead
 *                            (interrupts off, halted): the channel's
 *                            heartbeat stops, the compute cores run on
 */
#pragma once

#include <lwk/types.h>

/* Read both keys from @cmdline at boot: 0, or -1 with a one-line reason
 * in @err for a value that is not a signal number. */
int ktest_fault_setup(const char *cmdline, char *err, size_t len) __attribute__((weak));
/* The service core takes signal @sig for a process: panic or hang here if
 * the command line asked for it, else return. */
void ktest_fault_signal(int sig) __attribute__((weak));

static inline void ktest_fault_on_signal(int sig)
{
	if (ktest_fault_signal)
		ktest_fault_signal(sig);
}

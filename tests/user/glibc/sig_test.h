/* SPDX-License-Identifier: GPL-2.0-only */
/* Signal-mask helpers for the glibc signal tests (sigwait.c, pwait_mask.c). */
#pragma once

#include <errno.h>
#include <signal.h>
#include <time.h>
#include "lwk_test.h"

#define MS 1000000ll

/* Sleep @ms whole, through the signals that interrupt it. */
static inline void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * MS };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static inline int is_blocked(int sig)
{
	sigset_t now;

	EXPECT(sigprocmask(SIG_BLOCK, NULL, &now) == 0);
	return sigismember(&now, sig);
}

/* The set of just @sig (empty for 0). */
static inline sigset_t set_of(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	if (sig)
		sigaddset(&set, sig);
	return set;
}

/* Block exactly @sig (nothing for 0). */
static inline void mask_only(int sig)
{
	sigset_t set = set_of(sig);

	EXPECT(sigprocmask(SIG_SETMASK, &set, NULL) == 0);
}

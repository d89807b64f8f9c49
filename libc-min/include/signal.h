/* SPDX-License-Identifier: GPL-2.0-only */
/* libc-min (user space only): signal numbers and sending signals. There are
 * no handlers yet (no sigaction), so a signal takes its default action. */
#pragma once

#ifdef LWK_KERNEL
#error "user-space header"
#endif

#include <sys/types.h>
#include <uapi/lwk/signal.h>

int kill(pid_t pid, int sig);
int raise(int sig);

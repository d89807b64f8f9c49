/* SPDX-License-Identifier: GPL-2.0-only */
/* libc-min (user space only): signal numbers and sending signals. There are
 * no handlers yet (no sigaction), so a signal takes its default action. */
#pragma once

#ifdef LWK_KERNEL
#error "user-space header"
#endif

#include <sys/types.h>

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17

int kill(pid_t pid, int sig);
int raise(int sig);

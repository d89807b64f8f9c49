/* SPDX-License-Identifier: GPL-2.0-only */
/* System calls: the dispatch generated from uapi/lwk/syscalls.def, and the
 * handlers' shared declarations. */
#pragma once

#include <lwk/types.h>

struct syscall_args {
	uint64_t nr;
	uint64_t a[6];
};

typedef int64_t (*syscall_fn)(const struct syscall_args *sa);

/* One declaration per LOCAL syscall: the table needs a handler for each. */
#define SYSCALL_DECL_LOCAL(name) int64_t sys_##name(const struct syscall_args *sa);
#define SYSCALL_DECL_FORWARD(name)
#define SYSCALL(nr, name, where) SYSCALL_DECL_##where(name)
#include <uapi/lwk/syscalls.def>
#undef SYSCALL

/* Everything FORWARD goes here: to the proxy, or (bare mode, no proxy)
 * console output for fds 1 and 2 and -ENOSYS for the rest. */
int64_t sys_forward(const struct syscall_args *sa);

/* The name of syscall @nr ("?" if unknown). */
const char *syscall_name(uint64_t nr);

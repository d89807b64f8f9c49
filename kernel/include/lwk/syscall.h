/* SPDX-License-Identifier: GPL-2.0-only */
/* System calls: the dispatch generated from uapi/lwk/syscalls.def, and the
 * handlers' shared declarations. */
#pragma once

#include <lwk/types.h>
#include <uapi/lwk/syscall_flags.h>

struct syscall_args {
	uint64_t nr;
	uint64_t a[6];
};

typedef int64_t (*syscall_fn)(const struct syscall_args *sa);

/* NR_read, NR_write, ...: the numbers, from the same table. */
enum syscall_nr {
#define SYSCALL(nr, name, where, flags) NR_##name = nr,
#include <uapi/lwk/syscalls.def>
#undef SYSCALL
};

/* One declaration per LOCAL syscall: the table needs a handler for each. */
#define SYSCALL_DECL_LOCAL(name) int64_t sys_##name(const struct syscall_args *sa);
#define SYSCALL_DECL_FORWARD(name)
#define SYSCALL(nr, name, where, flags) SYSCALL_DECL_##where(name)
#include <uapi/lwk/syscalls.def>
#undef SYSCALL

/* Everything FORWARD goes here: to the proxy, or (bare mode, no proxy)
 * console output for fds 1 and 2 and -ENOSYS for the rest. A call that a
 * signal interrupted returns -ERESTARTSYS or -ERESTARTNOHAND (lwk/signal.h),
 * which signal delivery turns into -EINTR or a restart. */
int64_t sys_forward(const struct syscall_args *sa);
/* Kernel code's own forwarded call, made on the current thread's behalf
 * through its slot (mmap of a file reads it with pread64 this way): the
 * call's result or -errno; -ENOSYS with no proxy. Signals do not
 * interrupt it; a kill ends the wait at once (-EINTR). Pointer arguments
 * are user addresses of the current process, as the proxy mirrors them. */
int64_t forward_call(uint64_t nr, const uint64_t args[6]);

/* fork, vfork, execve, execveat, and clone or clone3 without CLONE_VM:
 * -ENOSYS, with a log line naming the call once per run. They are never
 * forwarded: the proxy must not fork itself for the LWK. */
int64_t syscall_refuse_process_creation(uint64_t nr);

/* The name of syscall @nr ("?" if unknown). */
const char *syscall_name(uint64_t nr);
/* Its LWK_SC_* flags from syscalls.def (0 if unknown). */
uint32_t syscall_flags(uint64_t nr);

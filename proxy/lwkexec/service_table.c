// SPDX-License-Identifier: GPL-2.0-only
/*
 * The service table, generated from uapi/lwk/syscalls.def like the
 * kernel's dispatch. Each FORWARD entry refers to sys_<name> weakly: the
 * handlers in proxy/sys_*.c define the calls lwkexec serves, and a call
 * nobody defines resolves to NULL, which the dispatcher answers with
 * -ENOSYS (as Linux answers an unknown call). LOCAL calls never reach the
 * proxy; a request for one is answered -ENOSYS too.
 */
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "service.h"

#define SVC_WEAK_LOCAL(name)
#define SVC_WEAK_FORWARD(name) extern __typeof__(sys_##name) sys_##name __attribute__((weak));
#define SYSCALL(nr, name, where) SVC_WEAK_##where(name)
#include <uapi/lwk/syscalls.def>
#undef SYSCALL

struct svc_entry {
	svc_handler fn;
	const char *name;
};

#define SVC_FN_LOCAL(name) NULL
#define SVC_FN_FORWARD(name) sys_##name
#define SYSCALL(nr, name, where) [nr] = { SVC_FN_##where(name), #name },
static const struct svc_entry svc_table[] = {
#include <uapi/lwk/syscalls.def>
};
#undef SYSCALL

svc_handler svc_table_lookup(uint32_t nr, const char **name)
{
	if (nr >= sizeof(svc_table) / sizeof(svc_table[0]) || !svc_table[nr].name) {
		*name = "?";
		return NULL;
	}
	*name = svc_table[nr].name;
	return svc_table[nr].fn;
}

/* Reads and writes of regular files usually find the page cache ready:
 * up to this size they are tried on the dispatcher too, which saves the
 * hand-off to a service thread (a wake-up, often longer than the I/O).
 * Reads are tried with RWF_NOWAIT (svc_io_nowait), so a file that must
 * wait (NFS, FUSE, a pipe dup2'd onto the fd meanwhile) goes to the
 * service thread rather than stalling the dispatcher. */
#define INLINE_IO_MAX (256u << 10)

static int regular_file(int fd)
{
	struct stat st;

	return fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode);
}

/* Quick calls that never block: not worth waking a service thread for.
 * (close is not one: it flushes on NFS and lingers on sockets.) */
int svc_table_inline(const struct svc_call *c)
{
	switch (c->nr) {
	case SYS_getuid:
	case SYS_geteuid:
	case SYS_getgid:
	case SYS_getegid:
	case SYS_getppid:
	case SYS_getresuid:
	case SYS_getresgid:
	case SYS_getgroups:
	case SYS_umask:
	case SYS_lseek:
	case SYS_fstat:
		return 1;
	case SYS_read:
	case SYS_pread64:
		if (!regular_file((int)c->a[0]))
			return 0;
		return c->a[2] <= INLINE_IO_MAX ? SVC_INLINE_NOWAIT : SVC_REGULAR_IO;
	case SYS_write:
	case SYS_pwrite64:
		/* ext4 and tmpfs refuse RWF_NOWAIT buffered writes (EOPNOTSUPP):
		 * writes go to the service thread. */
		return regular_file((int)c->a[0]) ? SVC_REGULAR_IO : 0;
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The service table, generated from uapi/lwk/syscalls.def like the
 * kernel's dispatch: per call its handler, its name and its flags. Each
 * FORWARD entry refers to sys_<name> weakly: the handlers in sys_*.c
 * define the calls lwkexec serves, and a call nobody defines resolves to
 * NULL, which the dispatcher answers with -ENOSYS (as Linux answers an
 * unknown call). LOCAL calls never reach the proxy; a request for one is
 * answered -ENOSYS too.
 */
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <uapi/lwk/syscall_flags.h>
#include "service.h"

/* lwkexec passes the LWK's numbers to Linux unchanged, so each must be
 * the host's number for that name. A name the host's <sys/syscall.h>
 * lacks (headers older than the table) stops the build here, on purpose:
 * build lwkexec against kernel headers at least as new as syscalls.def
 * (Linux 5.17 for set_mempolicy_home_node, the last entry). */
#define SYSCALL(nr, name, where, flags) \
	_Static_assert(nr == SYS_##name, "syscalls.def: " #name " is not " #nr " on this host");
#include <uapi/lwk/syscalls.def>
#undef SYSCALL

#define SVC_WEAK_LOCAL(name)
#define SVC_WEAK_FORWARD(name) extern __typeof__(sys_##name) sys_##name __attribute__((weak));
#define SYSCALL(nr, name, where, flags) SVC_WEAK_##where(name)
#include <uapi/lwk/syscalls.def>
#undef SYSCALL

/* One row of the table (not to be confused with the LWK's process
 * entries, struct lwk_chan_proc). */
struct svc_table_row {
	svc_handler fn;
	const char *name;
	uint32_t flags; /* LWK_SC_* */
};

#define SVC_FN_LOCAL(name) NULL
#define SVC_FN_FORWARD(name) sys_##name
#define SYSCALL(nr, name, where, flags) [nr] = { SVC_FN_##where(name), #name, flags },
static const struct svc_table_row svc_table[] = {
#include <uapi/lwk/syscalls.def>
};
#undef SYSCALL

static const struct svc_table_row *svc_table_row(uint32_t nr)
{
	if (nr >= sizeof(svc_table) / sizeof(svc_table[0]) || !svc_table[nr].name)
		return NULL;
	return &svc_table[nr];
}

svc_handler svc_table_lookup(uint32_t nr, const char **name)
{
	const struct svc_table_row *row = svc_table_row(nr);

	*name = row ? row->name : "?";
	return row ? row->fn : NULL;
}

/* Reads and writes of regular files usually find the page cache ready:
 * up to this size they are tried on the dispatcher too, which saves the
 * hand-off to a service thread (a wake-up, often longer than the I/O).
 * Reads are tried with RWF_NOWAIT (svc_io_nowait), so a file that must
 * wait (NFS, FUSE, a pipe dup2'd onto the fd meanwhile) goes to the
 * service thread rather than stalling the dispatcher. ext4 and tmpfs
 * refuse RWF_NOWAIT buffered writes (EOPNOTSUPP): writes are not tried
 * (no LWK_SC_NOWAIT_IO), they go to the service thread. */
#define INLINE_IO_MAX (256u << 10)

static int regular_file(int fd)
{
	struct stat st;

	return fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode);
}

enum svc_how svc_table_inline(const struct svc_call *c)
{
	const struct svc_table_row *row = svc_table_row(c->nr);
	uint32_t flags = row ? row->flags : 0;

	if (flags & LWK_SC_PROXY_INLINE)
		return SVC_INLINE;
	if (!(flags & LWK_SC_FILE_IO) || !regular_file((int)c->a[0]))
		return SVC_THREAD;
	if ((flags & LWK_SC_NOWAIT_IO) && c->a[2] <= INLINE_IO_MAX)
		return SVC_INLINE_NOWAIT;
	return SVC_REGULAR_IO;
}

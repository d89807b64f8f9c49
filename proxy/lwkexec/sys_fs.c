// SPDX-License-Identifier: GPL-2.0-only
/*
 * Forwarded calls on paths. Every path is copied out of the mirror (so
 * that the program cannot change it between our check and Linux's use)
 * and passed through ident_path, which points /proc/self/exe and
 * /proc/<LWK pid> at the program rather than at lwkexec.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include "service.h"

/* The flags openat honours (it ignores the others; openat2 refuses them).
 * 0100000 is the kernel's O_LARGEFILE, 0 in x86_64 user headers. */
#define OPEN_FLAGS                                                                             \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | \
	 O_SYNC | O_ASYNC | O_DIRECT | 0100000 | O_DIRECTORY | O_NOFOLLOW | O_NOATIME |        \
	 O_CLOEXEC | O_PATH | __O_TMPFILE)
#define STATX_BYTES 256 /* struct statx, as Linux lays it out */

/* Declare and fill a checked path from argument @i, or return its error. */
#define PATH_ARG(var, c, i)                                                    \
	char var##_buf[PATH_MAX];                                              \
	int64_t var##_err = 0;                                                 \
	const char *var = svc_path_arg(c, i, var##_buf, PATH_MAX, &var##_err); \
	if (!var)                                                              \
	return var##_err

/* The open is done: hand the program @fd unless it is lwkexec's own. */
static int64_t open_keep(struct svc_call *c, int64_t fd)
{
	if (fd >= 0 && ident_fd_refused(c->svc, (int)fd)) {
		close((int)fd);
		return -EACCES;
	}
	return fd;
}

/* A path that crosses a magic link (/dev/fd/N, /proc/self/fd/N, /proc/
 * self/cwd/...): resolve it to an O_PATH descriptor first, without side
 * effects (no O_CREAT, no O_TRUNC), check what it reached, and only then
 * open that very file through its descriptor. */
static int64_t open_magic(struct svc_call *c, int64_t dirfd, const char *path, int flags,
			  uint64_t mode)
{
	int64_t o, r;
	char self[64];

	o = SVC_SYS(SYS_openat, dirfd, path,
		    O_PATH | O_CLOEXEC | (flags & (O_NOFOLLOW | O_DIRECTORY)), 0);
	if (o == -ENOENT && (flags & O_CREAT)) /* a new file: nothing of ours */
		return open_keep(c, SVC_SYS(SYS_openat, dirfd, path, flags | O_EXCL, mode));
	if (o < 0)
		return o;
	if (ident_fd_refused(c->svc, (int)o)) {
		close((int)o);
		return -EACCES;
	}
	r = ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) ? -EEXIST : 0;
	if (!r) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", (int)o);
		r = SVC_SYS(SYS_openat, AT_FDCWD, self, flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW),
			    mode);
	}
	close((int)o);
	return open_keep(c, r);
}

/* open(at): the made-up identity files first, then Linux, refusing magic
 * links in the first try so that no path (nor a symlink the program made)
 * reaches lwkexec's own descriptors or memory through /proc. */
static int64_t open_path(struct svc_call *c, int64_t dirfd, const char *path, int flags,
			 uint64_t mode)
{
	struct open_how how = { .flags = (unsigned int)flags & OPEN_FLAGS,
				.resolve = RESOLVE_NO_MAGICLINKS };
	int64_t r;

	if (path[0] == '/') {
		int id = ident_open(c->svc, path, flags);

		if (id != 1)
			return id;
	}
	if (flags & (O_CREAT | __O_TMPFILE))
		how.mode = mode & 07777;
	r = SVC_SYS(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (r == -ENOSYS) /* Linux before 5.6: the checks after the open only */
		r = SVC_SYS(SYS_openat, dirfd, path, flags, mode);
	if (r == -ELOOP)
		return open_magic(c, dirfd, path, flags, mode);
	return open_keep(c, r);
}

int64_t sys_open(struct svc_call *c)
{
	PATH_ARG(path, c, 0);
	return open_path(c, AT_FDCWD, path, (int)c->a[1], c->a[2]);
}

int64_t sys_openat(struct svc_call *c)
{
	PATH_ARG(path, c, 1);
	SVC_TRY(svc_fd_check(c, 0));
	return open_path(c, (int)c->a[0], path, (int)c->a[2], c->a[3]);
}

int64_t sys_creat(struct svc_call *c)
{
	PATH_ARG(path, c, 0);
	return open_path(c, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, c->a[1]);
}

int64_t sys_stat(struct svc_call *c)
{
	PATH_ARG(path, c, 0);
	SVC_TRY(svc_buf_check(c, 1, sizeof(struct stat), 1));
	return SVC_SYS(SYS_stat, path, c->a[1]);
}

int64_t sys_lstat(struct svc_call *c)
{
	PATH_ARG(path, c, 0);
	SVC_TRY(svc_buf_check(c, 1, sizeof(struct stat), 1));
	return SVC_SYS(SYS_lstat, path, c->a[1]);
}

int64_t sys_newfstatat(struct svc_call *c)
{
	PATH_ARG(path, c, 1);
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 2, sizeof(struct stat), 1));
	return SVC_SYS(SYS_newfstatat, c->a[0], path, c->a[2], c->a[3]);
}

int64_t sys_statx(struct svc_call *c)
{
	PATH_ARG(path, c, 1);
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 4, STATX_BYTES, 1));
	return SVC_SYS(SYS_statx, c->a[0], path, c->a[2], c->a[3], c->a[4]);
}

int64_t sys_statfs(struct svc_call *c)
{
	PATH_ARG(path, c, 0);
	SVC_TRY(svc_buf_check(c, 1, sizeof(struct statfs), 1));
	return SVC_SYS(SYS_statfs, path, c->a[1]);
}

static int64_t readlink_at(struct svc_call *c, int64_t dirfd, int path_arg, int buf_arg)
{
	char raw[PATH_MAX], buf[PATH_MAX];
	int64_t err = 0, n;
	const char *path = svc_str_arg(c, path_arg, raw, sizeof(raw), &err);
	uint64_t size = c->a[buf_arg + 1];

	if (!path)
		return err;
	SVC_TRY(svc_buf_check(c, buf_arg, size, 1));
	n = ident_readlink(c->svc, path, SVC_PTR(c, buf_arg), size);
	if (n >= 0)
		return n;
	path = ident_path(c->svc, raw, buf, sizeof(buf));
	return SVC_SYS(SYS_readlinkat, dirfd, path, c->a[buf_arg], size);
}

int64_t sys_readlink(struct svc_call *c)
{
	return readlink_at(c, AT_FDCWD, 0, 1);
}

int64_t sys_readlinkat(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	return readlink_at(c, (int)c->a[0], 1, 2);
}

int64_t sys_access(struct svc_call *c)
{
	PATH_ARG(path, c, 0);
	return SVC_SYS(SYS_access, path, c->a[1]);
}

int64_t sys_faccessat(struct svc_call *c)
{
	PATH_ARG(path, c, 1);
	SVC_TRY(svc_fd_check(c, 0));
	return SVC_SYS(SYS_faccessat, c->a[0], path, c->a[2]);
}

int64_t sys_faccessat2(struct svc_call *c)
{
	PATH_ARG(path, c, 1);
	SVC_TRY(svc_fd_check(c, 0));
	return SVC_SYS(SYS_faccessat2, c->a[0], path, c->a[2], c->a[3]);
}

/* Calls with one path and numbers. */
#define PATH_CALL(name)                                                      \
	int64_t sys_##name(struct svc_call *c)                               \
	{                                                                    \
		PATH_ARG(path, c, 0);                                        \
		return SVC_SYS(SYS_##name, path, c->a[1], c->a[2], c->a[3]); \
	}

/* Calls with a directory fd, one path and numbers. */
#define PATH_AT_CALL(name)                                                            \
	int64_t sys_##name(struct svc_call *c)                                        \
	{                                                                             \
		PATH_ARG(path, c, 1);                                                 \
		SVC_TRY(svc_fd_check(c, 0));                                          \
		return SVC_SYS(SYS_##name, c->a[0], path, c->a[2], c->a[3], c->a[4]); \
	}

PATH_CALL(unlink)
PATH_CALL(rmdir)
PATH_CALL(mkdir)
PATH_CALL(chdir)
PATH_CALL(truncate)
PATH_CALL(chmod)
PATH_CALL(chown)
PATH_CALL(lchown)
PATH_CALL(mknod)
PATH_AT_CALL(unlinkat)
PATH_AT_CALL(mkdirat)
PATH_AT_CALL(fchmodat)
PATH_AT_CALL(fchownat)
PATH_AT_CALL(mknodat)

/* Calls with two paths: old and new name. */
int64_t sys_rename(struct svc_call *c)
{
	PATH_ARG(from, c, 0);
	PATH_ARG(to, c, 1);
	return SVC_SYS(SYS_rename, from, to);
}

int64_t sys_link(struct svc_call *c)
{
	PATH_ARG(from, c, 0);
	PATH_ARG(to, c, 1);
	return SVC_SYS(SYS_link, from, to);
}

static int64_t two_paths_at(struct svc_call *c, long nr)
{
	PATH_ARG(from, c, 1);
	PATH_ARG(to, c, 3);
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_fd_check(c, 2));
	return SVC_SYS(nr, c->a[0], from, c->a[2], to, c->a[4]);
}

int64_t sys_renameat(struct svc_call *c)
{
	return two_paths_at(c, SYS_renameat);
}

int64_t sys_renameat2(struct svc_call *c)
{
	return two_paths_at(c, SYS_renameat2);
}

int64_t sys_linkat(struct svc_call *c)
{
	return two_paths_at(c, SYS_linkat);
}

/* A symlink's target is stored as written, never rewritten. */
int64_t sys_symlink(struct svc_call *c)
{
	char target[PATH_MAX];
	int64_t err = 0;

	if (!svc_str_arg(c, 0, target, sizeof(target), &err))
		return err;
	PATH_ARG(link, c, 1);
	return SVC_SYS(SYS_symlink, target, link);
}

int64_t sys_symlinkat(struct svc_call *c)
{
	char target[PATH_MAX];
	int64_t err = 0;

	if (!svc_str_arg(c, 0, target, sizeof(target), &err))
		return err;
	PATH_ARG(link, c, 2);
	SVC_TRY(svc_fd_check(c, 1));
	return SVC_SYS(SYS_symlinkat, target, c->a[1], link);
}

int64_t sys_getcwd(struct svc_call *c)
{
	SVC_TRY(svc_buf_check(c, 0, c->a[1], 1));
	return SVC_SYS(SYS_getcwd, c->a[0], c->a[1]);
}

/* utimensat(dirfd, path or NULL, times[2] or NULL, flags) */
int64_t sys_utimensat(struct svc_call *c)
{
	char buf[PATH_MAX];
	int64_t err = 0;
	const char *path = NULL;

	if (c->a[1] && !(path = svc_path_arg(c, 1, buf, sizeof(buf), &err)))
		return err;
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 2, c->a[2] ? 2 * sizeof(struct timespec) : 0, 0));
	return SVC_SYS(SYS_utimensat, c->a[0], path, c->a[2], c->a[3]);
}

int64_t sys_utimes(struct svc_call *c)
{
	PATH_ARG(path, c, 0);
	SVC_TRY(svc_buf_check(c, 1, c->a[1] ? 2 * sizeof(struct timeval) : 0, 0));
	return SVC_SYS(SYS_utimes, path, c->a[1]);
}

/* Extended attributes: (path or fd, name, value, size) and (path or fd,
 * list, size). */
static int64_t getxattr_call(struct svc_call *c, long nr, const void *file)
{
	char name[256];
	int64_t err = 0;

	if (!svc_str_arg(c, 1, name, sizeof(name), &err))
		return err == -ENAMETOOLONG ? -ERANGE : err;
	SVC_TRY(svc_buf_check(c, 2, c->a[3], 1));
	return SVC_SYS(nr, file, name, c->a[2], c->a[3]);
}

int64_t sys_getxattr(struct svc_call *c)
{
	PATH_ARG(path, c, 0);
	return getxattr_call(c, SYS_getxattr, path);
}

int64_t sys_lgetxattr(struct svc_call *c)
{
	PATH_ARG(path, c, 0);
	return getxattr_call(c, SYS_lgetxattr, path);
}

int64_t sys_fgetxattr(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	return getxattr_call(c, SYS_fgetxattr, (const void *)(uintptr_t)c->a[0]);
}

int64_t sys_listxattr(struct svc_call *c)
{
	PATH_ARG(path, c, 0);
	SVC_TRY(svc_buf_check(c, 1, c->a[2], 1));
	return SVC_SYS(SYS_listxattr, path, c->a[1], c->a[2]);
}

int64_t sys_llistxattr(struct svc_call *c)
{
	PATH_ARG(path, c, 0);
	SVC_TRY(svc_buf_check(c, 1, c->a[2], 1));
	return SVC_SYS(SYS_llistxattr, path, c->a[1], c->a[2]);
}

int64_t sys_flistxattr(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 1, c->a[2], 1));
	return SVC_SYS(SYS_flistxattr, c->a[0], c->a[1], c->a[2]);
}

/* inotify (tail -f): a descriptor that reports changes to watched paths. */
int64_t sys_inotify_init(struct svc_call *c)
{
	return SVC_SYS(SYS_inotify_init);
}

int64_t sys_inotify_init1(struct svc_call *c)
{
	return SVC_SYS(SYS_inotify_init1, c->a[0]);
}

int64_t sys_inotify_add_watch(struct svc_call *c)
{
	PATH_ARG(path, c, 1);
	SVC_TRY(svc_fd_check(c, 0));
	return SVC_SYS(SYS_inotify_add_watch, c->a[0], path, c->a[2]);
}

int64_t sys_inotify_rm_watch(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	return SVC_SYS(SYS_inotify_rm_watch, c->a[0], c->a[1]);
}

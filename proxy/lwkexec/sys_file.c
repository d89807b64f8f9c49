// SPDX-License-Identifier: GPL-2.0-only
/*
 * Forwarded calls on file descriptors: I/O, duplication, fcntl, ioctl,
 * pipes. The program's descriptors are lwkexec's own (it runs the calls),
 * except for the few lwkexec keeps for itself, which every handler refuses
 * with EBADF. Each pointer is checked against the mirror first.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "service.h"

/* ---- when Linux cannot take the program's pages ------------------------------
 * The mirror of the program's memory is, beside Linux, a PFN mapping of
 * lwk.ko's (VM_IO | VM_PFNMAP): copy_to_user and copy_from_user work on
 * it, but nothing can pin its pages. Files whose I/O pins the caller's
 * pages instead of copying (9p's zero-copy path for anything over 1 KiB,
 * O_DIRECT, FUSE's) then fail with EFAULT on a buffer that is fine. Such a
 * call is done again through a buffer of lwkexec's own, SVC_BOUNCE_MAX bytes
 * at a time: a read fills at most one buffer (a short read, as Linux may
 * give one), a write goes on while the file takes whole buffers. */

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

int64_t svc_bounce_io(int fd, const struct iovec *iov, int cnt, off_t off, int flags, int write)
{
	uint64_t total = 0, done = 0;
	size_t room;
	char *buf;
	int64_t r = 0;

	for (int i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	room = min_u64(total, SVC_BOUNCE_MAX);
	buf = malloc(room ? room : 1);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0, at = 0; done < total;) {
		struct iovec b = { buf, min_u64(room, total - done) };
		size_t n = 0;

		if (write) { /* gather the next buffer's worth */
			for (size_t j = i, a = at; n < b.iov_len; j++, a = 0) {
				size_t k = min_u64(iov[j].iov_len - a, b.iov_len - n);

				memcpy(buf + n, (char *)iov[j].iov_base + a, k);
				n += k;
			}
			r = svc_sys_result(pwritev2(fd, &b, 1, off, flags));
		} else {
			r = svc_sys_result(preadv2(fd, &b, 1, off, flags));
		}
		if (r <= 0)
			break;
		/* move on by r bytes (scattering them, for a read) */
		for (n = 0; n < (size_t)r; at = 0, i++) {
			size_t k = min_u64(iov[i].iov_len - at, (size_t)r - n);

			if (!write)
				memcpy((char *)iov[i].iov_base + at, buf + n, k);
			n += k;
			if (at + k < iov[i].iov_len) {
				at += k;
				break;
			}
		}
		done += (uint64_t)r;
		if (off != -1)
			off += r;
		if (!write || (size_t)r < b.iov_len)
			break;
	}
	free(buf);
	return done ? (int64_t)done : r;
}

/* A plain read or write: at the call's own cost, unless Linux said EFAULT. */
static int64_t plain_io(struct svc_call *c, long nr, int write, int positional)
{
	struct iovec iov = { SVC_PTR(c, 1), c->a[2] };
	int64_t r;

	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 1, c->a[2], !write));
	r = positional ? SVC_SYS(nr, c->a[0], c->a[1], c->a[2], c->a[3])
		       : SVC_SYS(nr, c->a[0], c->a[1], c->a[2]);
	if (r == -EFAULT)
		r = svc_bounce_io((int)c->a[0], &iov, 1, positional ? (off_t)c->a[3] : -1, 0,
				  write);
	return write ? svc_pipe_signal(c, r) : r;
}

int64_t sys_read(struct svc_call *c)
{
	return plain_io(c, SYS_read, 0, 0);
}

int64_t sys_write(struct svc_call *c)
{
	return plain_io(c, SYS_write, 1, 0);
}

int64_t sys_pread64(struct svc_call *c)
{
	return plain_io(c, SYS_pread64, 0, 1);
}

int64_t sys_pwrite64(struct svc_call *c)
{
	return plain_io(c, SYS_pwrite64, 1, 1);
}

int64_t svc_io_nowait(struct svc_call *c)
{
	int write = c->nr == SYS_write || c->nr == SYS_pwrite64;
	int positional = c->nr == SYS_pread64 || c->nr == SYS_pwrite64;
	struct iovec iov = { SVC_PTR(c, 1), c->a[2] };
	off_t off = positional ? (off_t)c->a[3] : -1; /* -1: the file position */
	int64_t r;

	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 1, c->a[2], !write));
	if (positional && off < 0)
		return -EINVAL;
	if (!c->a[2])
		return SVC_NOT_NOW; /* Linux's checks for 0 bytes: the plain call */
	r = svc_sys_result(write ? pwritev2((int)c->a[0], &iov, 1, off, RWF_NOWAIT)
				 : preadv2((int)c->a[0], &iov, 1, off, RWF_NOWAIT));
	if (r == -EAGAIN || r == -EOPNOTSUPP || r == -EFAULT)
		return SVC_NOT_NOW; /* (EFAULT: the plain call bounces it) */
	if (r > 0 && (uint64_t)r < c->a[2]) {
		/* Part of it was there: the rest may have to wait. */
		c->a[1] += (uint64_t)r;
		c->a[2] -= (uint64_t)r;
		if (positional)
			c->a[3] += (uint64_t)r;
		c->done = r;
		return SVC_NOT_NOW;
	}
	return write ? svc_pipe_signal(c, r) : r;
}

/* The vectored calls run on a checked copy of the iovec array. Their
 * offset is a[3] (x86-64 passes it whole), the flags of the *v2 calls
 * a[5]. */
static int64_t vector_io(struct svc_call *c, long nr, int write_mem)
{
	struct iovec iov[IOV_MAX];
	int positional = nr != SYS_readv && nr != SYS_writev;
	int v2 = nr == SYS_preadv2 || nr == SYS_pwritev2;
	int64_t r;

	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_iov_copy(&c->svc->maps, c->a[1], c->a[2], write_mem, iov));
	r = SVC_SYS(nr, c->a[0], iov, c->a[2], c->a[3], c->a[4], c->a[5]);
	if (r == -EFAULT)
		r = svc_bounce_io((int)c->a[0], iov, (int)c->a[2], positional ? (off_t)c->a[3] : -1,
				  v2 ? (int)c->a[5] : 0, !write_mem);
	return write_mem ? r : svc_pipe_signal(c, r);
}

int64_t sys_readv(struct svc_call *c)
{
	return vector_io(c, SYS_readv, 1);
}

int64_t sys_writev(struct svc_call *c)
{
	return vector_io(c, SYS_writev, 0);
}

int64_t sys_preadv(struct svc_call *c)
{
	return vector_io(c, SYS_preadv, 1);
}

int64_t sys_pwritev(struct svc_call *c)
{
	return vector_io(c, SYS_pwritev, 0);
}

int64_t sys_preadv2(struct svc_call *c)
{
	return vector_io(c, SYS_preadv2, 1);
}

int64_t sys_pwritev2(struct svc_call *c)
{
	return vector_io(c, SYS_pwritev2, 0);
}

int64_t sys_lseek(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	return SVC_SYS(SYS_lseek, c->a[0], c->a[1], c->a[2]);
}

int64_t sys_close(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	return SVC_SYS(SYS_close, c->a[0]);
}

/* The smallest of lwkexec's descriptors at or above @from, or UINT_MAX. */
static unsigned int reserved_from(const struct svc *s, unsigned int from)
{
	unsigned int best = UINT_MAX;

	for (unsigned int i = 0; i < s->nreserved; i++) {
		unsigned int fd = (unsigned int)s->reserved_fds[i];

		if (fd >= from && fd < best)
			best = fd;
	}
	return best;
}

/* close_range around lwkexec's own descriptors, which stay open. */
int64_t sys_close_range(struct svc_call *c)
{
	unsigned int first = (unsigned int)c->a[0], last = (unsigned int)c->a[1];

	if (first > last)
		return -EINVAL;
	for (;;) {
		unsigned int r = reserved_from(c->svc, first);
		int64_t ret;

		if (r > last)
			return SVC_SYS(SYS_close_range, first, last, c->a[2]);
		if (r > first) {
			ret = SVC_SYS(SYS_close_range, first, r - 1, c->a[2]);
			if (ret)
				return ret;
		}
		if (r == last)
			return 0;
		first = r + 1;
	}
}

int64_t sys_dup(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	return SVC_SYS(SYS_dup, c->a[0]);
}

int64_t sys_dup2(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_fd_check(c, 1));
	return SVC_SYS(SYS_dup2, c->a[0], c->a[1]);
}

int64_t sys_dup3(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_fd_check(c, 1));
	return SVC_SYS(SYS_dup3, c->a[0], c->a[1], c->a[2]);
}

int64_t sys_fcntl(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	switch ((int)c->a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_GETFD:
	case F_SETFD:
	case F_GETFL:
	case F_SETFL:
	case F_SETPIPE_SZ:
	case F_GETPIPE_SZ:
	case F_ADD_SEALS:
	case F_GET_SEALS:
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		SVC_TRY(svc_buf_check(c, 2, sizeof(struct flock), 1));
		break;
	default:
		return -EINVAL; /* owners, leases, notify: not for an LWK process */
	}
	return SVC_SYS(SYS_fcntl, c->a[0], c->a[1], c->a[2]);
}

/* The ioctls whose argument we know: its size and direction. */
#define IO_VALUE 0 /* the argument is a number */
#define IO_IN 1	   /* Linux reads it */
#define IO_OUT 2   /* Linux writes it */
#define KERNEL_TERMIOS 36
#define KERNEL_TERMIOS2 44

static const struct {
	unsigned int cmd;
	unsigned int size;
	int dir;
} ioctls[] = {
	{ 0x5401, KERNEL_TERMIOS, IO_OUT },	 /* TCGETS */
	{ 0x5402, KERNEL_TERMIOS, IO_IN },	 /* TCSETS */
	{ 0x5403, KERNEL_TERMIOS, IO_IN },	 /* TCSETSW */
	{ 0x5404, KERNEL_TERMIOS, IO_IN },	 /* TCSETSF */
	{ 0x802c542a, KERNEL_TERMIOS2, IO_OUT }, /* TCGETS2 */
	{ 0x402c542b, KERNEL_TERMIOS2, IO_IN },	 /* TCSETS2 */
	{ 0x402c542c, KERNEL_TERMIOS2, IO_IN },	 /* TCSETSW2 */
	{ 0x402c542d, KERNEL_TERMIOS2, IO_IN },	 /* TCSETSF2 */
	{ 0x5409, 0, IO_VALUE },		 /* TCSBRK */
	{ 0x540a, 0, IO_VALUE },		 /* TCXONC */
	{ 0x540b, 0, IO_VALUE },		 /* TCFLSH */
	{ 0x540f, 4, IO_OUT },			 /* TIOCGPGRP */
	{ 0x5411, 4, IO_OUT },			 /* TIOCOUTQ */
	{ 0x5413, 8, IO_OUT },			 /* TIOCGWINSZ */
	{ 0x5414, 8, IO_IN },			 /* TIOCSWINSZ */
	{ 0x541b, 4, IO_OUT },			 /* FIONREAD */
	{ 0x5421, 4, IO_IN },			 /* FIONBIO */
	{ 0x5450, 0, IO_VALUE },		 /* FIONCLEX */
	{ 0x5451, 0, IO_VALUE },		 /* FIOCLEX */
	{ 0x5452, 4, IO_IN },			 /* FIOASYNC */
};

int64_t sys_ioctl(struct svc_call *c)
{
	unsigned int cmd = (unsigned int)c->a[1];

	SVC_TRY(svc_fd_check(c, 0));
	for (size_t i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
		if (ioctls[i].cmd != cmd)
			continue;
		if (ioctls[i].dir != IO_VALUE)
			SVC_TRY(svc_buf_check(c, 2, ioctls[i].size, ioctls[i].dir == IO_OUT));
		return SVC_SYS(SYS_ioctl, c->a[0], cmd, c->a[2]);
	}
	return -ENOTTY;
}

int64_t sys_fstat(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 1, sizeof(struct stat), 1));
	return SVC_SYS(SYS_fstat, c->a[0], c->a[1]);
}

int64_t sys_fstatfs(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 1, sizeof(struct statfs), 1));
	return SVC_SYS(SYS_fstatfs, c->a[0], c->a[1]);
}

int64_t sys_getdents64(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 1, (unsigned int)c->a[2], 1));
	return SVC_SYS(SYS_getdents64, c->a[0], c->a[1], (unsigned int)c->a[2]);
}

int64_t sys_getdents(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 1, (unsigned int)c->a[2], 1));
	return SVC_SYS(SYS_getdents, c->a[0], c->a[1], (unsigned int)c->a[2]);
}

/* Calls with a descriptor and numbers only. */
#define FD_CALL(name)                                                                             \
	int64_t sys_##name(struct svc_call *c)                                                    \
	{                                                                                         \
		SVC_TRY(svc_fd_check(c, 0));                                                      \
		return SVC_SYS(SYS_##name, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5]); \
	}

FD_CALL(ftruncate)
FD_CALL(fsync)
FD_CALL(fdatasync)
FD_CALL(fchmod)
FD_CALL(fchown)
FD_CALL(fchdir)
FD_CALL(flock)
FD_CALL(fadvise64)
FD_CALL(fallocate)
FD_CALL(readahead)
FD_CALL(syncfs)
FD_CALL(sync_file_range)

int64_t sys_sync(struct svc_call *c)
{
	return SVC_SYS(SYS_sync);
}

int64_t sys_pipe(struct svc_call *c)
{
	SVC_TRY(svc_buf_check(c, 0, 2 * sizeof(int), 1));
	return SVC_SYS(SYS_pipe, c->a[0]);
}

int64_t sys_pipe2(struct svc_call *c)
{
	SVC_TRY(svc_buf_check(c, 0, 2 * sizeof(int), 1));
	return SVC_SYS(SYS_pipe2, c->a[0], c->a[1]);
}

int64_t sys_sendfile(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_fd_check(c, 1));
	SVC_TRY(svc_buf_check(c, 2, c->a[2] ? sizeof(off_t) : 0, 1));
	return svc_pipe_signal(c, SVC_SYS(SYS_sendfile, c->a[0], c->a[1], c->a[2], c->a[3]));
}

int64_t sys_copy_file_range(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_fd_check(c, 2));
	SVC_TRY(svc_buf_check(c, 1, c->a[1] ? sizeof(off_t) : 0, 1));
	SVC_TRY(svc_buf_check(c, 3, c->a[3] ? sizeof(off_t) : 0, 1));
	return SVC_SYS(SYS_copy_file_range, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5]);
}

int64_t sys_eventfd(struct svc_call *c)
{
	return SVC_SYS(SYS_eventfd, c->a[0]);
}

int64_t sys_eventfd2(struct svc_call *c)
{
	return SVC_SYS(SYS_eventfd2, c->a[0], c->a[1]);
}

int64_t sys_memfd_create(struct svc_call *c)
{
	char name[256];
	int64_t n = svc_str_check(&c->svc->maps, c->a[0], sizeof(name));

	if (n < 0)
		return n == -ENAMETOOLONG ? -EINVAL : n;
	memcpy(name, SVC_PTR(c, 0), (size_t)n + 1);
	name[n] = '\0';
	return SVC_SYS(SYS_memfd_create, name, c->a[1]);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * POSIX wrappers: each is one system call through lm_syscall(), which
 * turns a Linux error into -1 and errno. Arguments are passed as long
 * here, in C, so that an int such as AT_FDCWD reaches the kernel
 * sign-extended whatever the kernel side reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

ssize_t read(int fd, void *buf, size_t count)
{
	return lm_syscall(SYS_read, fd, (long)buf, count, 0, 0, 0);
}

ssize_t write(int fd, const void *buf, size_t count)
{
	return lm_syscall(SYS_write, fd, (long)buf, count, 0, 0, 0);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	/* The mode argument exists only when a file may be created. */
	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return lm_syscall(SYS_openat, dirfd, (long)path, flags, mode, 0, 0);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return openat(AT_FDCWD, path, flags, mode);
}

int close(int fd)
{
	return lm_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
}

off_t lseek(int fd, off_t offset, int whence)
{
	return lm_syscall(SYS_lseek, fd, offset, whence, 0, 0, 0);
}

/* exit_group, not exit: the whole process ends, as glibc's _exit does. */
void _exit(int status)
{
	for (;;)
		lm_syscall(SYS_exit_group, status, 0, 0, 0, 0, 0);
}

pid_t getpid(void)
{
	return lm_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
}

pid_t gettid(void)
{
	return lm_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0);
}

int kill(pid_t pid, int sig)
{
	return lm_syscall(SYS_kill, pid, sig, 0, 0, 0, 0);
}

/* To this thread, not just this process: raise() is synchronous. */
int raise(int sig)
{
	return lm_syscall(SYS_tgkill, getpid(), gettid(), sig, 0, 0, 0);
}

int sched_yield(void)
{
	return lm_syscall(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
}

int uname(struct utsname *buf)
{
	return lm_syscall(SYS_uname, (long)buf, 0, 0, 0, 0, 0);
}

ssize_t getrandom(void *buf, size_t length, unsigned int flags)
{
	return lm_syscall(SYS_getrandom, (long)buf, length, flags, 0, 0, 0);
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
	return (void *)lm_syscall(SYS_mmap, (long)addr, length, prot, flags, fd, offset);
}

int munmap(void *addr, size_t length)
{
	return lm_syscall(SYS_munmap, (long)addr, length, 0, 0, 0, 0);
}

int mprotect(void *addr, size_t length, int prot)
{
	return lm_syscall(SYS_mprotect, (long)addr, length, prot, 0, 0, 0);
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	return lm_syscall(SYS_clock_gettime, clock, (long)ts, 0, 0, 0, 0);
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	return lm_syscall(SYS_nanosleep, (long)req, (long)rem, 0, 0, 0, 0);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one path into the kernel. Stubs are not generated per call: the
 * numbers come from <sys/syscall.h>, generated from syscalls.def, and every
 * wrapper goes through lm_syscall().
 */
#include <errno.h>
#include <stdarg.h>
#include <unistd.h>
#include "internal.h"

int errno;

long lm_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	/* syscall clobbers %rcx (return address) and %r11 (flags). */
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

/* Callers pass at most six arguments; reading all six whatever the call is
 * harmless on x86_64 (registers, then the caller's stack), as musl does. */
long syscall(long nr, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return lm_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * brk/sbrk. The Linux system call never fails with an error code: it
 * returns the break it ended up with, which is the old one when it could
 * not move. libc-min's malloc does not use the break, so programs own it.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "internal.h"

static char *current_break;

int brk(void *addr)
{
	current_break = (char *)lm_syscall(SYS_brk, (long)addr, 0, 0, 0, 0, 0);
	if (current_break != addr) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void *sbrk(intptr_t increment)
{
	char *old;

	if (!current_break)
		current_break = (char *)lm_syscall(SYS_brk, 0, 0, 0, 0, 0, 0);
	old = current_break;
	if (increment && brk(old + increment))
		return (void *)-1;
	return old;
}

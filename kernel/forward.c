// SPDX-License-Identifier: GPL-2.0-only
/*
 * Forwarded system calls. With no proxy attached (bare mode: lwkctl bare)
 * nothing can be forwarded: write and writev to fds 1 and 2 go to the
 * console ports, everything else answers -ENOSYS and is logged once per
 * number, so that a missing call is visible rather than silent.
 */
#include <arch/arch.h>
#include <lwk/errno.h>
#include <lwk/log.h>
#include <lwk/proc.h>
#include <lwk/syscall.h>

#define NR_WRITE 1
#define NR_WRITEV 20
#define MAX_NR 512

static uint8_t logged[MAX_NR / 8];

static int64_t bare_write(struct uvm *uvm, int fd, uint64_t buf, uint64_t len)
{
	char chunk[256];
	uint64_t done = 0;

	while (done < len) {
		uint64_t n = MIN(len - done, sizeof(chunk));

		if (uvm_copy_in(uvm, chunk, buf + done, n))
			return done ? (int64_t)done : -EFAULT;
		arch_user_output(fd, chunk, n);
		done += n;
	}
	return done;
}

static int64_t bare_writev(struct uvm *uvm, int fd, uint64_t iov, uint64_t cnt)
{
	int64_t total = 0;

	if (cnt > 1024)
		return -EINVAL;
	for (uint64_t i = 0; i < cnt; i++) {
		uint64_t v[2];
		int64_t n;

		if (uvm_copy_in(uvm, v, iov + 16 * i, sizeof(v)))
			return total ? total : -EFAULT;
		n = bare_write(uvm, fd, v[0], v[1]);
		if (n < 0)
			return total ? total : n;
		total += n;
	}
	return total;
}

int64_t sys_forward(const struct syscall_args *sa)
{
	struct uvm *uvm = &thread_current()->proc->uvm;
	int fd = (int)sa->a[0];

	if ((sa->nr == NR_WRITE || sa->nr == NR_WRITEV) && (fd == 1 || fd == 2))
		return sa->nr == NR_WRITE ? bare_write(uvm, fd, sa->a[1], sa->a[2])
					  : bare_writev(uvm, fd, sa->a[1], sa->a[2]);
	if (sa->nr < MAX_NR && !(logged[sa->nr / 8] & (1u << (sa->nr % 8)))) {
		logged[sa->nr / 8] |= 1u << (sa->nr % 8);
		log_info("syscall %s (%llu) needs the proxy, and none is attached: -ENOSYS",
			 syscall_name(sa->nr), (unsigned long long)sa->nr);
	}
	return -ENOSYS;
}

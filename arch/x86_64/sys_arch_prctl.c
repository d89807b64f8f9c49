// SPDX-License-Identifier: GPL-2.0-only
/* arch_prctl(2), the x86_64 system call that sets and reads the user's FS
 * and GS bases. The generic syscall table (uapi/lwk/syscalls.def) lists it. */
#include <lwk/arch.h>
#include <lwk/errno.h>
#include <lwk/proc.h>
#include <lwk/syscall.h>

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

int64_t sys_arch_prctl(const struct syscall_args *sa)
{
	struct thread *t = thread_current();
	struct thread_arch *ta = &t->arch;
	uint64_t addr = sa->a[1];

	switch (sa->a[0]) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (!arch_tls_pointer_ok(addr)) /* not a user address */
			return -EPERM;
		arch_tls_save(ta);
		*(sa->a[0] == ARCH_SET_FS ? &ta->fs_base : &ta->gs_base) = addr;
		arch_tls_load(ta);
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		arch_tls_save(ta);
		return uvm_copy_out(&t->proc->uvm, addr,
				    sa->a[0] == ARCH_GET_FS ? &ta->fs_base : &ta->gs_base, 8)
			   ? -EFAULT
			   : 0;
	default:
		return -EINVAL;
	}
}

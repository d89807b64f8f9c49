// SPDX-License-Identifier: GPL-2.0-only
/*
 * Threads: clone/clone3 as pthread_create uses them, thread exit, getcpu.
 * A new thread goes to the process's next core, round robin, and stays
 * there. Process creation (fork, vfork, clone without CLONE_VM) needs the
 * proxy: it answers -ENOSYS here.
 */
#include <lwk/arch.h>
#include <lwk/cpus.h>
#include <lwk/errno.h>
#include <lwk/futex.h>
#include <lwk/log.h>
#include <lwk/sched.h>
#include <lwk/syscall.h>

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_VFORK 0x4000
#define CLONE_THREAD 0x10000
#define CLONE_SYSVSEM 0x40000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_DETACHED 0x400000
#define CLONE_CHILD_SETTID 0x1000000
#define CSIGNAL 0xff
#define THREAD_NEEDS (CLONE_VM | CLONE_SIGHAND | CLONE_THREAD)
#define THREAD_MAY                                                              \
	(THREAD_NEEDS | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_SETTLS | \
	 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID)

struct clone_req {
	uint64_t flags, stack, parent_tid, child_tid, tls;
};

static int64_t do_clone(const struct clone_req *r)
{
	struct thread *self = thread_current(), *t;
	struct proc *p = self->proc;
	uint32_t tid;
	int err;

	if ((r->flags & THREAD_NEEDS) != THREAD_NEEDS) {
		log_warn(
		    "pid %d: clone flags 0x%llx create a process; that needs the proxy: -ENOSYS",
		    p->pid, (unsigned long long)r->flags);
		return -ENOSYS;
	}
	if (r->flags & ~(uint64_t)(THREAD_MAY | CSIGNAL))
		return -EINVAL;
	if ((r->flags & CLONE_SETTLS) && !arch_tls_pointer_ok(r->tls))
		return -EPERM;
	err = thread_create(p, &t);
	if (err)
		return err;
	tid = t->tid;
	/* As on Linux, a bad tid pointer does not fail the clone. */
	if (r->flags & CLONE_PARENT_SETTID)
		uvm_copy_out(&p->uvm, r->parent_tid, &tid, sizeof(tid));
	if (r->flags & CLONE_CHILD_SETTID)
		uvm_copy_out(&p->uvm, r->child_tid, &tid, sizeof(tid));
	arch_tls_save(&self->arch); /* user code may have moved them since */
	t->arch = self->arch;
	if (r->flags & CLONE_SETTLS)
		arch_tls_set_pointer(&t->arch, r->tls);
	t->clear_child_tid = (r->flags & CLONE_CHILD_CLEARTID) ? r->child_tid : 0;
	arch_fpu_save(t->fpu); /* the child starts with the parent's FPU state */
	t->cpu = proc_next_core(p);
	t->ksp = arch_thread_init(t->kstack_top, self->uframe, 0,
				  r->stack ? r->stack : arch_frame_user_sp(self->uframe));
	arch_frame_set_return((struct trap_frame *)(t->kstack_top - arch_frame_size()), 0);
	t->sig_blocked = self->sig_blocked; /* the mask is inherited */
	__atomic_fetch_add(&p->nlive, 1, __ATOMIC_ACQ_REL);
	__atomic_fetch_add(&t->cpu->nthreads, 1, __ATOMIC_RELAXED);
	/* so that the wake below queues it; t->cpu is visible before it */
	__atomic_store_n(&t->state, THREAD_BLOCKED, __ATOMIC_RELEASE);
	sched_wake(t);
	return tid;
}

int64_t sys_clone(const struct syscall_args *sa)
{
	struct clone_req r = {
		.flags = sa->a[ARCH_CLONE_ARG_FLAGS],
		.stack = sa->a[ARCH_CLONE_ARG_STACK],
		.parent_tid = sa->a[ARCH_CLONE_ARG_PARENT_TID],
		.child_tid = sa->a[ARCH_CLONE_ARG_CHILD_TID],
		.tls = sa->a[ARCH_CLONE_ARG_TLS],
	};

	return do_clone(&r);
}

int64_t sys_clone3(const struct syscall_args *sa)
{
	uint64_t args[11] = { 0 }; /* struct clone_args, up to cgroup */
	uint64_t size = sa->a[1];
	struct clone_req r;

	if (size < 64 || size > 4096) /* CLONE_ARGS_SIZE_VER0 .. a page */
		return -EINVAL;
	if (uvm_copy_in(&thread_current()->proc->uvm, args, sa->a[0], MIN(size, sizeof(args))))
		return -EFAULT;
	/* set_tid and cgroup are not for threads; pidfd only counts with
	 * CLONE_PIDFD, which do_clone refuses (glibc fills it in anyway). */
	if (args[8] || args[9] || (size > 80 && args[10]))
		return -EINVAL;
	r = (struct clone_req){
		.flags = args[0],
		.stack = args[5] ? args[5] + args[6] : 0, /* stack, stack_size */
		.parent_tid = args[3],
		.child_tid = args[2],
		.tls = args[7],
	};
	if (args[4] & ~(uint64_t)CSIGNAL)
		return -EINVAL;
	return do_clone(&r);
}

/* A thread leaves; the process ends with the last one. */
int64_t sys_exit(const struct syscall_args *sa)
{
	thread_exit((int)(sa->a[0] & 0xff) << 8);
}

int64_t sys_getcpu(const struct syscall_args *sa)
{
	struct thread *t = thread_current();
	uint32_t cpu = t->cpu->id, node = 0;

	if ((sa->a[0] && uvm_copy_out(&t->proc->uvm, sa->a[0], &cpu, 4)) ||
	    (sa->a[1] && uvm_copy_out(&t->proc->uvm, sa->a[1], &node, 4)))
		return -EFAULT;
	return 0;
}

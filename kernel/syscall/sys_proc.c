// SPDX-License-Identifier: GPL-2.0-only
/* Identity, limits, exit and the other small local system calls. */
#include <string.h>
#include <lwk/arch.h>
#include <lwk/cpus.h>
#include <lwk/errno.h>
#include <lwk/log.h>
#include <lwk/proc.h>
#include <lwk/sched.h>
#include <lwk/syscall.h>

#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7
#define RLIMIT_AS 9
#define RLIMIT_NLIMITS 16
#define RLIM_INFINITY (~0ull)
#define LWK_STACK_SIZE MiB(8)

static struct thread *cur(void)
{
	return thread_current();
}

int64_t sys_getpid(const struct syscall_args *sa)
{
	return cur()->proc->pid;
}

int64_t sys_gettid(const struct syscall_args *sa)
{
	return cur()->tid;
}

int64_t sys_exit_group(const struct syscall_args *sa)
{
	proc_exit(cur()->proc, (int)(sa->a[0] & 0xff) << 8);
}

int64_t sys_set_tid_address(const struct syscall_args *sa)
{
	cur()->clear_child_tid = sa->a[0];
	return cur()->tid;
}

int64_t sys_set_robust_list(const struct syscall_args *sa)
{
	if (sa->a[1] != 24) /* sizeof(struct robust_list_head) */
		return -EINVAL;
	cur()->robust_list = sa->a[0];
	cur()->robust_len = sa->a[1];
	return 0;
}

int64_t sys_get_robust_list(const struct syscall_args *sa)
{
	struct thread *t = cur();

	if (sa->a[0] && (int)sa->a[0] != t->tid)
		return -ESRCH;
	if (uvm_copy_out(&t->proc->uvm, sa->a[1], &t->robust_list, 8) ||
	    uvm_copy_out(&t->proc->uvm, sa->a[2], &t->robust_len, 8))
		return -EFAULT;
	return 0;
}

int64_t sys_uname(const struct syscall_args *sa)
{
	static const char fields[6][65] = {
		"Linux", "lwk", "6.1.0-lwk", "#1 SMP lwk", ARCH_UNAME_MACHINE, "(none)"
	};

	return uvm_copy_out(&cur()->proc->uvm, sa->a[0], fields, sizeof(fields)) ? -EFAULT : 0;
}

static void rlimit_get(struct proc *p, unsigned int res, uint64_t v[2])
{
	v[0] = v[1] = RLIM_INFINITY;
	if (res == RLIMIT_STACK)
		v[0] = v[1] = LWK_STACK_SIZE;
	else if (res == RLIMIT_NOFILE)
		v[0] = 1024, v[1] = 4096;
	else if (res == RLIMIT_AS || res == RLIMIT_DATA)
		v[0] = v[1] = p->uvm.reserved;
}

/* Limits are facts of the static layout: they can be read, and "set" to
 * what they already are; anything else is refused rather than ignored. */
int64_t sys_prlimit64(const struct syscall_args *sa)
{
	struct proc *p = cur()->proc;
	uint64_t v[2], want[2];

	if (sa->a[0] && (int)sa->a[0] != p->pid)
		return -ESRCH;
	if (sa->a[1] >= RLIMIT_NLIMITS)
		return -EINVAL;
	rlimit_get(p, sa->a[1], v);
	if (sa->a[2]) {
		if (uvm_copy_in(&p->uvm, want, sa->a[2], sizeof(want)))
			return -EFAULT;
		if (want[0] > want[1])
			return -EINVAL;
		if (want[1] > v[1] || want[0] != v[0])
			return -EPERM;
	}
	if (sa->a[3] && uvm_copy_out(&p->uvm, sa->a[3], v, sizeof(v)))
		return -EFAULT;
	return 0;
}

int64_t sys_getrlimit(const struct syscall_args *sa)
{
	struct syscall_args p = { 302, { 0, sa->a[0], 0, sa->a[1], 0, 0 } };

	return sys_prlimit64(&p);
}

static uint64_t random_word(void)
{
	static uint64_t state;
	uint64_t z;

	if (arch_random(&z))
		return z;
	/* No RDRAND: splitmix64 over the TSC. Not cryptographic; said once. */
	if (!state)
		log_warn("getrandom: this CPU has no RDRAND; using a TSC-seeded generator");
	state += 0x9e3779b97f4a7c15ull ^ arch_cycles();
	z = state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int64_t sys_getrandom(const struct syscall_args *sa)
{
	struct uvm *u = &cur()->proc->uvm;
	uint64_t len = MIN(sa->a[1], 33554431ull); /* Linux's cap per call */

	if (sa->a[2] & ~7ull)
		return -EINVAL;
	for (uint64_t off = 0; off < len; off += 8) {
		uint64_t w = random_word();

		if (uvm_copy_out(u, sa->a[0] + off, &w, MIN(8, len - off)))
			return off ? (int64_t)off : -EFAULT;
	}
	return len;
}

int64_t sys_rseq(const struct syscall_args *sa)
{
	return -ENOSYS; /* glibc then does without restartable sequences */
}

int64_t sys_sched_yield(const struct syscall_args *sa)
{
	sched_yield_cpu();
	return 0;
}

/* The affinity calls name a thread (0: the caller); only this process's
 * threads are visible without a proxy. */
static bool own_thread(struct proc *p, uint64_t tid)
{
	return !tid || proc_find_thread(p, (int)tid);
}

/* A process's cores (p->cores, where proc_next_core places its threads)
 * that are online: that is its affinity, as OpenMP sizes its team from
 * it. */
int64_t sys_sched_getaffinity(const struct syscall_args *sa)
{
	struct proc *p = cur()->proc;
	uint8_t mask[LWK_BD_MAX_CPUS / 8] = { 0 };
	uint64_t bytes = ALIGN_UP((ncpus + 7) / 8, 8);

	if (!own_thread(p, sa->a[0]))
		return -ESRCH;
	if (sa->a[1] < bytes || (sa->a[1] & 7))
		return -EINVAL;
	for (unsigned int i = 0; i < p->ncores; i++) {
		unsigned int core = p->cores[i];

		if (core < ncpus && cpus[core].state == CPU_ONLINE)
			mask[core / 8] |= 1u << (core % 8);
	}
	return uvm_copy_out(&p->uvm, sa->a[2], mask, bytes) ? -EFAULT : (int64_t)bytes;
}

int64_t sys_sched_setaffinity(const struct syscall_args *sa)
{
	struct proc *p = cur()->proc;
	uint8_t mask[LWK_BD_MAX_CPUS / 8] = { 0 };
	uint64_t len = MIN(sa->a[1], sizeof(mask));

	struct thread *t = sa->a[0] ? proc_find_thread(p, (int)sa->a[0]) : cur();
	unsigned int core;

	if (!t)
		return -ESRCH;
	if (uvm_copy_in(&p->uvm, mask, sa->a[2], len))
		return -EFAULT;
	/* A thread stays on its core for good: a mask that includes that
	 * core changes nothing and is accepted; one that excludes it cannot
	 * be honoured (Linux too says EINVAL for a mask it cannot use). */
	core = READ_ONCE(t->cpu) ? t->cpu->id : 0;
	return (mask[core / 8] & (1u << (core % 8))) ? 0 : -EINVAL;
}

// SPDX-License-Identifier: GPL-2.0-only
/* Time from the TSC: no tick, no timer interrupt. */
#include <lwk/arch.h>
#include <lwk/bootdesc.h>
#include <lwk/errno.h>
#include <lwk/kmain.h>
#include <lwk/proc.h>
#include <lwk/sched.h>
#include <lwk/syscall.h>

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1
#define NSEC 1000000000ull
#define USER_HZ 100 /* clock ticks of times(), as AT_CLKTCK says (elf_loader.c) */
#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

/* ns = cycles * mult >> 32, mult fixed once: no division per call. */
static uint64_t tsc_mult;

static uint64_t cycles_to_ns(uint64_t cycles)
{
	if (!tsc_mult)
		tsc_mult = (NSEC << 32) / arch_tsc_hz();
	return (uint64_t)(((unsigned __int128)cycles * tsc_mult) >> 32);
}

uint64_t time_deadline_cycles(uint64_t deadline_ns)
{
	uint64_t hz = arch_tsc_hz(), now = arch_cycles(), now_ns = cycles_to_ns(now), d, c;

	if (deadline_ns <= now_ns)
		return now;
	/* Relative to now, so that the error of cycles_to_ns's fixed-point
	 * factor scales with the wait, not with the TSC's age; at most an
	 * hour (the idle loop arms again), so nothing overflows; rounded up
	 * with some slack, so that the timer does not fire before the clock
	 * says the deadline has come. */
	d = MIN(deadline_ns - now_ns, 3600 * NSEC);
	c = d / NSEC * hz + (d % NSEC * hz + NSEC - 1) / NSEC;
	return now + c + (c >> 20) + 1;
}

uint64_t time_realtime_offset_ns(void)
{
	return kernel_bootdesc()->wallclock_offset_ns;
}

uint64_t time_monotonic_ns(void)
{
	return cycles_to_ns(arch_cycles());
}

static int clock_read(uint64_t clk, uint64_t *ns)
{
	uint64_t now = cycles_to_ns(arch_cycles());

	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = now + kernel_bootdesc()->wallclock_offset_ns;
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = now;
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*ns = cycles_to_ns(proc_cpu_cycles(thread_current()->proc));
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = cycles_to_ns(thread_cpu_cycles());
		return 0;
	default:
		return -EINVAL;
	}
}

static int put_timespec(uint64_t uva, uint64_t ns)
{
	uint64_t ts[2] = { ns / NSEC, ns % NSEC };

	return uvm_copy_out(&thread_current()->proc->uvm, uva, ts, sizeof(ts)) ? -EFAULT : 0;
}

int time_timespec_in(uint64_t uva, uint64_t *ns)
{
	int64_t ts[2];

	if (uvm_copy_in(&thread_current()->proc->uvm, ts, uva, sizeof(ts)))
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || (uint64_t)ts[1] >= NSEC)
		return -EINVAL;
	*ns = (uint64_t)ts[0] > UINT64_MAX / NSEC ? UINT64_MAX : ts[0] * NSEC + ts[1];
	return 0;
}

int64_t sys_clock_gettime(const struct syscall_args *sa)
{
	uint64_t ns;
	int err = clock_read(sa->a[0], &ns);

	return err ? err : put_timespec(sa->a[1], ns);
}

int64_t sys_clock_getres(const struct syscall_args *sa)
{
	uint64_t ns;
	int err = clock_read(sa->a[0], &ns);

	if (err || !sa->a[1])
		return err;
	return put_timespec(sa->a[1], 1);
}

int64_t sys_gettimeofday(const struct syscall_args *sa)
{
	uint64_t ns, tv[2];

	clock_read(CLOCK_REALTIME, &ns);
	tv[0] = ns / NSEC;
	tv[1] = ns % NSEC / 1000;
	if (sa->a[0] && uvm_copy_out(&thread_current()->proc->uvm, sa->a[0], tv, sizeof(tv)))
		return -EFAULT;
	return 0;
}

int64_t sys_time(const struct syscall_args *sa)
{
	uint64_t ns, s;

	clock_read(CLOCK_REALTIME, &ns);
	s = ns / NSEC;
	if (sa->a[0] && uvm_copy_out(&thread_current()->proc->uvm, sa->a[0], &s, sizeof(s)))
		return -EFAULT;
	return s;
}

/* Sleep by blocking with a deadline, so that another thread of this core
 * can run meanwhile. Deadlines are kept on CLOCK_MONOTONIC. */
static int sleep_until(uint64_t clk, uint64_t deadline)
{
	uint64_t now;

	clock_read(clk, &now);
	while (now < deadline) {
		uint64_t mono = time_monotonic_ns(), left = deadline - now;

		sched_block(left > UINT64_MAX - mono ? UINT64_MAX : mono + left);
		if (signal_interrupts(thread_current()))
			return -EINTR;
		clock_read(clk, &now);
	}
	return 0;
}

/* A relative sleep cut short by a signal tells how much was left in
 * @rem, as Linux does (sleep(3) returns it). */
static int64_t do_sleep(uint64_t clk, bool absolute, uint64_t req, uint64_t rem)
{
	uint64_t ns, now, deadline;
	int err = time_timespec_in(req, &ns);

	if (err)
		return err;
	err = clock_read(clk, &now);
	if (err)
		return err;
	deadline = absolute ? ns : (now + ns < now ? UINT64_MAX : now + ns);
	err = sleep_until(clk, deadline);
	if (err == -EINTR && !absolute && rem) {
		clock_read(clk, &now);
		if (put_timespec(rem, deadline > now ? deadline - now : 0))
			return -EFAULT;
	}
	return err;
}

int64_t sys_nanosleep(const struct syscall_args *sa)
{
	return do_sleep(CLOCK_MONOTONIC, false, sa->a[0], sa->a[1]);
}

int64_t sys_clock_nanosleep(const struct syscall_args *sa)
{
	if (sa->a[0] == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	if (sa->a[1] & ~(uint64_t)TIMER_ABSTIME)
		return -EINVAL;
	/* clock_nanosleep returns the error instead of setting errno */
	return do_sleep(sa->a[0], sa->a[1] & TIMER_ABSTIME, sa->a[2], sa->a[3]);
}

/* ---- CPU-time accounting: times, getrusage ------------------------------------ */

/* The LWK does not split a thread's time between user and kernel mode (it
 * enters the kernel only when the program asks): all of it is reported as
 * user time, and system time is 0. There are no child processes. */

static int64_t ns_to_ticks(uint64_t ns)
{
	return (int64_t)(ns / (NSEC / USER_HZ));
}

int64_t sys_times(const struct syscall_args *sa)
{
	struct proc *p = thread_current()->proc;
	int64_t tms[4] = { ns_to_ticks(cycles_to_ns(proc_cpu_cycles(p))), 0, 0, 0 };

	if (sa->a[0] && uvm_copy_out(&p->uvm, sa->a[0], tms, sizeof(tms)))
		return -EFAULT;
	/* elapsed ticks from an arbitrary point: here, the TSC's start */
	return ns_to_ticks(time_monotonic_ns());
}

/* Linux's struct rusage on x86_64. */
struct rusage64 {
	int64_t utime[2], stime[2]; /* struct timeval */
	int64_t maxrss;		    /* KiB */
	int64_t ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock;
	int64_t msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};

_Static_assert(sizeof(struct rusage64) == 144, "Linux struct rusage");

int64_t sys_getrusage(const struct syscall_args *sa)
{
	struct proc *p = thread_current()->proc;
	struct rusage64 ru = { 0 };
	uint64_t ns;

	switch ((int)sa->a[0]) {
	case RUSAGE_SELF:
		ns = cycles_to_ns(proc_cpu_cycles(p));
		break;
	case RUSAGE_THREAD:
		ns = cycles_to_ns(thread_cpu_cycles());
		break;
	case RUSAGE_CHILDREN:
		ns = 0; /* no child processes: all zeros, maxrss too */
		break;
	default:
		return -EINVAL;
	}
	ru.utime[0] = (int64_t)(ns / NSEC);
	ru.utime[1] = (int64_t)(ns % NSEC / 1000);
	/* Every byte of the reservation is mapped when the process is
	 * created (no demand paging), so its resident set is the whole
	 * reservation from the start. */
	if ((int)sa->a[0] != RUSAGE_CHILDREN)
		ru.maxrss = (int64_t)(p->uvm.reserved / 1024);
	return uvm_copy_out(&p->uvm, sa->a[1], &ru, sizeof(ru)) ? -EFAULT : 0;
}

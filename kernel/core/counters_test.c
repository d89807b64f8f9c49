// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktests for the per-core counters. The one that matters: a core running
 * user code that makes no system call takes no kernel entry at all (no
 * tick, no IPI, nothing), while a neighbouring core is busy with system
 * calls and the boot core interrupts every other core.
 */
#include <lwk/arch.h>
#include <lwk/counters.h>
#include <lwk/cpus.h>
#include <lwk/ktest.h>
#include <lwk/ktest_proc.h>
#include <lwk/log.h>
#include <lwk/proc.h>
#include <lwk/syscall.h>

#define WINDOW_MS 300
#define WAIT_MS 5000

/* The control block a test thread's stack pointer points at
 * (arch/x86_64/ktest_user.S). */
struct user_ctl {
	volatile uint64_t state; /* 1 running, 2 deadline reached */
	volatile uint64_t deadline;
	volatile uint64_t go;
	uint64_t pad[5];
};

static uint64_t ms_to_cycles(uint64_t ms)
{
	return arch_tsc_hz() / 1000 * ms;
}

/* A process holding the test code and two control blocks. */
static struct proc *make_test_proc(struct user_ctl **ctl)
{
	struct proc *p =
	    ktest_proc_create("ktest-user", arch_ktest_user_code, arch_ktest_user_code_end, false);

	if (p)
		*ctl = uvm_kaddr(&p->uvm, KTEST_CTL_VA, 2 * sizeof(**ctl), 0);
	return p;
}

static bool start_thread(struct proc *p, struct cpu *c, const char *entry, unsigned int slot)
{
	struct thread *t;

	if (thread_create(p, &t))
		return false;
	thread_start(t, c, ktest_user_va(arch_ktest_user_code, entry),
		     KTEST_CTL_VA + slot * sizeof(struct user_ctl));
	return true;
}

static bool wait_state(struct user_ctl *ctl, uint64_t state, uint64_t ms)
{
	uint64_t end = arch_cycles() + ms_to_cycles(ms);

	while (ctl->state < state)
		if (arch_cycles() > end)
			return false;
	return true;
}

/* Interrupt every core but this one and @quiet, about once a millisecond,
 * until the quiet thread reports its deadline reached. */
static void disturb_others(struct cpu *quiet, struct user_ctl *qctl)
{
	uint64_t end = arch_cycles() + ms_to_cycles(WAIT_MS);

	while (qctl->state < 2 && arch_cycles() < end) {
		for_each_cpu (c)
			if (c != quiet && c != this_cpu() && c->state == CPU_ONLINE)
				arch_cpu_wake(c);
		arch_udelay(1000);
	}
}

/* Name the first counter that differs, as a test failure. */
static void expect_same(const struct cpu *c, const struct lwk_cpu_counters *a,
			const struct lwk_cpu_counters *b)
{
	for (unsigned int i = 0; i < LWK_COUNTERS_NSYSCALLS; i++)
		if (a->syscall[i] != b->syscall[i])
			ktest_fail(__FILE__, __LINE__, "cpu%u took %llu %s system calls", c->id,
				   (unsigned long long)(b->syscall[i] - a->syscall[i]),
				   syscall_name(i));
	for (unsigned int v = 0; v < LWK_COUNTERS_NVECTORS; v++)
		if (a->vector[v] != b->vector[v])
			ktest_fail(__FILE__, __LINE__, "cpu%u took %llu entries on vector %u (%s)",
				   c->id, (unsigned long long)(b->vector[v] - a->vector[v]), v,
				   arch_vector_name(v));
	KT_EXPECT_EQ(a->syscall_other, b->syscall_other);
}

TEST(counters, quiet_core_takes_no_entries)
{
	struct cpu *quiet = &cpus[ncpus - 1], *noisy = ncpus > 2 ? &cpus[1] : NULL;
	struct lwk_cpu_counters before, after;
	uint64_t getpids = noisy ? noisy->counters->syscall[39] : 0;
	int ended = ktest_procs_ended();
	struct user_ctl *ctl;
	struct proc *p;

	if (quiet == this_cpu() || quiet->state != CPU_ONLINE) {
		ktest_skip("it needs a second core");
		return;
	}
	p = make_test_proc(&ctl);
	if (!p) {
		ktest_fail(__FILE__, __LINE__, "cannot make the test process");
		return;
	}
	ctl[0].deadline = ctl[1].deadline = arch_cycles() + ms_to_cycles(WINDOW_MS);
	KT_EXPECT(start_thread(p, quiet, arch_ktest_user_quiet, 0));
	if (noisy)
		KT_EXPECT(start_thread(p, noisy, arch_ktest_user_noisy, 1));
	KT_EXPECT(wait_state(&ctl[0], 1, WAIT_MS));
	counters_snapshot(quiet, &before);
	disturb_others(quiet, &ctl[0]);
	KT_EXPECT(wait_state(&ctl[0], 2, WAIT_MS));
	counters_snapshot(quiet, &after);
	expect_same(quiet, &before, &after);
	if (noisy) /* the neighbour was busy, and its calls were counted */
		KT_EXPECT(noisy->counters->syscall[39] > getpids);
	ctl[0].go = ctl[1].go = 1;
	KTEST_EXPECT_ENDED(ended + 1, WAIT_MS);
	KT_EXPECT_EQ(quiet->counters->syscall[60] - after.syscall[60], 1); /* its exit */
}

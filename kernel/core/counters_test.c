// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktests for the per-core counters. The one that matters: a core running
 * user code that makes no system call takes no kernel entry at all (no
 * tick, no IPI, nothing), while a neighbouring core is busy with system
 * calls and the boot core interrupts every other core. And the trace
 * rings beside them (lwk/trace.h): armed as lwkctl trace arms them, a
 * core records every entry it counts, even when its ring wraps.
 */
#include <lwk/arch.h>
#include <lwk/channel.h>
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

static uint64_t entries_of(const struct lwk_cpu_counters *k)
{
	uint64_t n = k->syscall_other;

	for (unsigned int i = 0; i < LWK_COUNTERS_NSYSCALLS; i++)
		n += k->syscall[i];
	for (unsigned int v = 0; v < LWK_COUNTERS_NVECTORS; v++)
		n += k->vector[v];
	return n;
}

/* What the ring of @c holds from @from to its head: every slot in the
 * window holds its own record, and a getpid that returned and the exit
 * that did not are among them. */
static void check_ring(const struct lwk_trace_ring *r, uint64_t from)
{
	uint64_t head = r->head, first = head - from > r->nrecords ? head - r->nrecords : from;
	unsigned int getpids = 0, exits = 0;

	for (uint64_t i = first; i < head; i++) {
		const struct lwk_trace_record *rec = &r->rec[i & (r->nrecords - 1)];

		KT_EXPECT_EQ(rec->seq, i + 1);
		KT_EXPECT(!rec->tsc_end || rec->tsc_end >= rec->tsc_start);
		if (rec->kind == LWK_TRACE_SYSCALL && rec->nr == 39 && rec->tsc_end)
			getpids++;
		if (rec->kind == LWK_TRACE_SYSCALL && rec->nr == 60 && !rec->tsc_end)
			exits++;
	}
	KT_EXPECT(getpids > 0);
	KT_EXPECT_EQ(exits, 1);
}

TEST(counters, trace_ring_records_every_entry)
{
	struct cpu *c = &cpus[ncpus - 1];
	const struct lwk_chan_header *h = channel_header();
	const struct lwk_trace_ring *r;
	struct lwk_cpu_counters before, after;
	int ended = ktest_procs_ended();
	struct user_ctl *ctl;
	struct proc *p;
	uint64_t from;

	if (!h || !h->trace_off || c == this_cpu() || c->state != CPU_ONLINE) {
		ktest_skip("it needs a channel with trace rings and a second core");
		return;
	}
	r = (const void *)((const uint8_t *)h + h->trace_off + (uint64_t)c->id * h->trace_size);
	KT_EXPECT_EQ(r->magic, LWK_TRACE_MAGIC);
	KT_EXPECT_EQ(r->cpu, c->id);
	p = make_test_proc(&ctl);
	if (!p) {
		ktest_fail(__FILE__, __LINE__, "cannot make the test process");
		return;
	}
	counters_snapshot(c, &before);
	from = r->head;
	__atomic_store_n(&c->counters->trace, 1, __ATOMIC_SEQ_CST); /* as lwkctl does */
	ctl[0].deadline = arch_cycles() + ms_to_cycles(WINDOW_MS);
	KT_EXPECT(start_thread(p, c, arch_ktest_user_noisy, 0));
	KT_EXPECT(wait_state(&ctl[0], 2, WAIT_MS));
	ctl[0].go = 1;
	KTEST_EXPECT_ENDED(ended + 1, WAIT_MS);
	__atomic_store_n(&c->counters->trace, 0, __ATOMIC_SEQ_CST);
	counters_snapshot(c, &after);
	/* One record per entry counted while armed, none after. */
	KT_EXPECT_EQ(r->head - from, entries_of(&after) - entries_of(&before));
	check_ring(r, from);
	log_info("trace ktest: cpu%u made %llu records (%u per ring)", c->id,
		 (unsigned long long)(r->head - from), r->nrecords);
}

// SPDX-License-Identifier: GPL-2.0-only
/* ktests for bringing cores up, per-CPU data and cross-core calls. */
#include <lwk/arch.h>
#include <lwk/counters.h>
#include <lwk/cpus.h>
#include <lwk/kmain.h>
#include <lwk/bootdesc.h>
#include <lwk/ktest.h>

#define EACH_CPU_TIMEOUT_US 5000000

TEST(smp, every_core_online)
{
	const struct bootdesc *bd = kernel_bootdesc();

	KT_EXPECT_EQ(ncpus, bd->n_cpus);
	KT_EXPECT_EQ(cpus_online(), bd->n_cpus);
	for_each_cpu (c) {
		if (c->state != CPU_ONLINE)
			ktest_fail(__FILE__, __LINE__, "cpu%u (APIC 0x%x) is not online", c->id,
				   c->apic_id);
		KT_EXPECT_EQ(c->apic_id, bd->cpu_apic_id[c->id]);
	}
}

static uint32_t seen_hw_id[LWK_BD_MAX_CPUS];
static uint32_t seen_count;

static void record_identity(void *arg)
{
	struct cpu *c = arch_this_cpu();

	KT_EXPECT_EQ(this_cpu(), c);
	KT_EXPECT(c >= cpus && c < cpus + ncpus);
	KT_EXPECT_EQ(c->self, c);
	KT_EXPECT_EQ(arch_cpu_id(), c->id);
	KT_EXPECT_EQ(arch_cpu_hw_id(), c->apic_id);
	seen_hw_id[c->id] = arch_cpu_hw_id();
	__atomic_fetch_add(&seen_count, 1, __ATOMIC_RELAXED);
}

TEST(smp, percpu_data_and_distinct_apic_ids)
{
	seen_count = 0;
	ktest_each_cpu(record_identity, NULL, EACH_CPU_TIMEOUT_US);
	KT_EXPECT_EQ(seen_count, cpus_online());
	for (unsigned int i = 0; i < ncpus; i++)
		for (unsigned int j = i + 1; j < ncpus; j++)
			if (cpus[i].state == CPU_ONLINE && cpus[j].state == CPU_ONLINE &&
			    seen_hw_id[i] == seen_hw_id[j])
				ktest_fail(__FILE__, __LINE__,
					   "cpu%u and cpu%u both report APIC 0x%x", i, j,
					   seen_hw_id[i]);
}

static void bump(void *arg)
{
	__atomic_fetch_add((uint32_t *)arg, 1, __ATOMIC_RELAXED);
}

static bool wait_halted(struct cpu *c)
{
	for (int i = 0; i < 100000 && !READ_ONCE(c->halted); i++)
		arch_udelay(10);
	return READ_ONCE(c->halted);
}

/* A halted core needs an IPI to see work; a polling core needs none. */
TEST(smp, call_reaches_idle_core)
{
	bool halt = cpus_idle_mode() == IDLE_HALT;

	for_each_cpu (c) {
		uint32_t ran = 0;
		uint64_t ipis;

		if (c == this_cpu() || c->state != CPU_ONLINE)
			continue; /* smp.every_core_online reports those */
		if (halt && !wait_halted(c)) {
			ktest_fail(__FILE__, __LINE__, "cpu%u never halted", c->id);
			continue;
		}
		ipis = READ_ONCE(c->counters->vector[ARCH_VECTOR_WAKE]);
		cpus_call(c, bump, &ran);
		KT_EXPECT(cpus_wait(c, EACH_CPU_TIMEOUT_US));
		KT_EXPECT_EQ(ran, 1);
		KT_EXPECT_EQ(READ_ONCE(c->counters->vector[ARCH_VECTOR_WAKE]) - ipis, halt ? 1 : 0);
	}
}

static void count_irqs_while_spinning(void *arg)
{
	uint64_t before = counters_entries(this_cpu()), flags = arch_irq_save();

	arch_irq_enable();
	arch_udelay(*(uint64_t *)arg);
	KT_EXPECT_EQ(counters_entries(this_cpu()) - before, 0);
	arch_irq_disable();
	arch_irq_restore(flags);
}

/* No tick: with interrupts on, a spinning core takes no interrupt at all. */
TEST(time, no_timer_interrupts)
{
	uint64_t us = 200000;

	ktest_each_cpu(count_irqs_while_spinning, &us, EACH_CPU_TIMEOUT_US);
}

/* The one-shot timer fires once, not before its deadline, and then never
 * again. Spinning (not halting) keeps the test bounded if it never fires. */
static void one_shot_timer(void *arg)
{
	uint64_t hz = arch_tsc_hz(), flags = arch_irq_save();
	uint64_t before = counters_entries(this_cpu()), start = arch_cycles();
	uint64_t deadline = start + hz / 1000 * 5, fired = 0;

	(void)arg;
	arch_timer_arm(deadline);
	arch_irq_enable();
	while (!fired && arch_cycles() - start < hz) /* 1 s at most */
		if (counters_entries(this_cpu()) != before)
			fired = arch_cycles();
	KT_EXPECT(fired >= deadline);
	arch_udelay(20000); /* one-shot: nothing more comes */
	arch_irq_disable();
	arch_timer_disarm();
	KT_EXPECT_EQ(counters_entries(this_cpu()) - before, 1);
	arch_irq_restore(flags);
}

TEST(time, one_shot_timer)
{
	ktest_each_cpu(one_shot_timer, NULL, EACH_CPU_TIMEOUT_US);
}

TEST(time, tsc_frequency_and_delay)
{
	uint64_t hz = arch_tsc_hz(), t0, dt;

	KT_EXPECT(hz >= 100000000ull && hz <= 10000000000ull);
	t0 = arch_cycles();
	arch_udelay(5000);
	dt = arch_cycles() - t0;
	KT_EXPECT(dt >= hz / 1000000 * 5000);
}

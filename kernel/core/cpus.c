// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cores sit in the idle loop until they are handed work or a thread. An
 * idle core either polls (idle=poll; fastest hand-off, no interrupt ever)
 * or halts (idle=halt; the sender then wakes it with an IPI, and only
 * then). There is no tick: a halted core whose threads sleep with a
 * deadline arms its one-shot timer for the earliest one, and only then.
 */
#include <lwk/arch.h>
#include <lwk/counters.h>
#include <lwk/cpus.h>
#include <lwk/panic.h>
#include <lwk/errno.h>
#include <lwk/kmain.h>
#include <lwk/log.h>
#include <lwk/sched.h>

#define AP_START_TIMEOUT_US 200000

static enum idle_mode idle_mode = IDLE_HALT;

void cpus_set_idle_mode(enum idle_mode mode)
{
	idle_mode = mode;
}

enum idle_mode cpus_idle_mode(void)
{
	return idle_mode;
}

int cpus_setup(const struct bootdesc *bd, uint32_t boot_apic_id)
{
	ncpus = bd->n_cpus;
	for (unsigned int i = 0; i < ncpus; i++) {
		cpus[i].id = i;
		cpus[i].apic_id = bd->cpu_apic_id[i];
		cpus[i].state = i == 0 ? CPU_ONLINE : CPU_ABSENT;
	}
	return counters_init();
}

unsigned int cpus_start_all(const struct bootdesc *bd)
{
	static struct cpu *aps[LWK_BD_MAX_CPUS];
	unsigned int failed = 0;
	paddr_t tramp = pa_make(bd->trampoline.base);
	int err;

	for (unsigned int i = 1; i < ncpus; i++)
		aps[i - 1] = &cpus[i];
	err = ncpus > 1 ? arch_cpus_send_init(aps, ncpus - 1) : 0;
	if (err) {
		log_err("cannot send INIT to the other cores (error %d): the boot core's local "
			"APIC does not answer; running on one core",
			err);
		for (unsigned int i = 1; i < ncpus; i++)
			cpus[i].state = CPU_FAILED;
		return ncpus - 1;
	}
	for (unsigned int i = 1; i < ncpus; i++) {
		struct cpu *c = &cpus[i];

		c->state = CPU_STARTING;
		err = arch_cpu_start(c, tramp, AP_START_TIMEOUT_US);
		/* The AP marks itself online; allow it a moment after it
		 * reached the kernel. */
		for (int t = 0; !err && c->state != CPU_ONLINE && t < 100000; t++)
			arch_udelay(10);
		if (err || c->state != CPU_ONLINE) {
			if (!err) /* ran, but never came online: stop it */
				arch_cpu_park(c);
			c->state = CPU_FAILED;
			failed++;
			log_err("AP %u (APIC 0x%x) did not start%s; check the cores listed in the "
				"boot description",
				i, c->apic_id, err == -ETIMEDOUT ? " within 200 ms" : "");
		}
	}
	log_info("%u of %u cores online", cpus_online(), ncpus);
	return failed;
}

unsigned int cpus_online(void)
{
	unsigned int n = 0;

	for_each_cpu (c)
		n += c->state == CPU_ONLINE;
	return n;
}

static int stopper = -1; /* the core that called cpus_stop_others */

#define CPUS_STOP_WAIT_US 100000

bool cpus_stop_others(void)
{
	uint64_t end;
	bool all;

	__atomic_store_n(&stopper, (int)arch_cpu_id(), __ATOMIC_SEQ_CST);
	arch_stop_other_cpus();
	end = arch_cycles() + arch_tsc_hz() / 1000000 * CPUS_STOP_WAIT_US;
	do {
		all = true;
		for_each_cpu (c)
			if (c != this_cpu() &&
			    __atomic_load_n(&c->state, __ATOMIC_ACQUIRE) == CPU_ONLINE)
				all = false;
	} while (!all && arch_cycles() < end);
	return all;
}

bool cpus_stop_requested(void)
{
	int s = __atomic_load_n(&stopper, __ATOMIC_SEQ_CST);

	return s >= 0 && s != (int)arch_cpu_id();
}

__noreturn void cpus_stopped(void)
{
	__atomic_store_n(&this_cpu()->state, CPU_STOPPED, __ATOMIC_RELEASE);
	arch_halt_forever();
}

void kernel_ap_main(struct cpu *c)
{
	__atomic_store_n(&c->state, CPU_ONLINE, __ATOMIC_RELEASE);
	log_info("online (APIC 0x%x)", c->apic_id);
	cpus_idle_loop();
}

static bool work_pending(struct cpu *c)
{
	return __atomic_load_n(&c->work_seq, __ATOMIC_ACQUIRE) != c->done_seq;
}

static void run_work(struct cpu *c)
{
	uint64_t seq = c->work_seq;

	struct cpu *from = c->work_from;

	c->work_fn(c->work_arg);
	__atomic_store_n(&c->done_seq, seq, __ATOMIC_SEQ_CST);
	/* The sender may halt while it waits (the service core, while
	 * compute cores clear a process's memory): it looks again at once. */
	if (from && from != c && __atomic_load_n(&from->halted, __ATOMIC_SEQ_CST))
		arch_cpu_wake(from);
}

/* Say whether the core halts, to the LWK's cores (halted) and to Linux
 * (the channel's cpu_halted[], which lwk.ko reads before it rings). */
static void halted_set(struct cpu *c, uint32_t v)
{
	if (c->halted_pub)
		__atomic_store_n(c->halted_pub, (uint8_t)v, __ATOMIC_SEQ_CST);
	__atomic_store_n(&c->halted, v, __ATOMIC_SEQ_CST);
}

/* Halt until an IPI, or the timer for a sleeper's deadline, ends it. The
 * last look (work, run queue, the words threads wait on) comes after the
 * halted stores and their fences: whoever publishes news and then sees
 * the core running has been seen by it, and whoever sees it halted
 * sends the IPI that ends the halt. */
static void idle_halt(struct cpu *c, uint64_t deadline_ns, bool (*news)(void))
{
	halted_set(c, 1);
	if (!work_pending(c) && !READ_ONCE(c->rq_head) && !sched_words_ready(c) &&
	    !(news && news())) {
		if (deadline_ns)
			arch_timer_arm(time_deadline_cycles(deadline_ns));
		arch_idle_halt();
		if (deadline_ns) {
			arch_timer_disarm();
			/* A timer that fired after an IPI woke us is still
			 * pending: take it here, not in a thread. */
			arch_irq_take_pending();
		}
	}
	halted_set(c, 0);
}

void cpus_halt_until(uint64_t deadline_ns, bool (*news)(void))
{
	arch_irq_disable();
	idle_halt(this_cpu(), deadline_ns, news);
	arch_irq_enable();
}

__noreturn void cpus_idle_loop(void)
{
	struct cpu *c = this_cpu();

	for (;;) {
		uint64_t deadline;

		arch_irq_disable();
		sched_reap(c);
		deadline = sched_check_timeouts(c);
		if (sched_run_queued(c))
			continue; /* back here when its threads all block or end */
		if (work_pending(c)) {
			arch_irq_enable();
			run_work(c);
		} else if (idle_mode == IDLE_POLL) {
			arch_irq_enable();
			arch_pause();
		} else {
			idle_halt(c, deadline, NULL);
		}
	}
}

void cpus_call(struct cpu *c, void (*fn)(void *), void *arg)
{
	c->work_fn = fn;
	c->work_arg = arg;
	c->work_from = this_cpu();
	__atomic_store_n(&c->work_seq, c->work_seq + 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Pairs with the idle loop's store of 'halted' before its last check:
	 * either it sees the work, or we see it halted and wake it. */
	if (__atomic_load_n(&c->halted, __ATOMIC_SEQ_CST))
		arch_cpu_wake(c);
}

bool cpus_wait(struct cpu *c, uint64_t timeout_us)
{
	uint64_t hz = arch_tsc_hz();
	uint64_t end = arch_cycles() + hz / 1000000 * timeout_us;

	while (work_pending(c)) {
		if (arch_cycles() > end)
			return false;
		arch_pause();
	}
	return true;
}

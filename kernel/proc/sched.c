// SPDX-License-Identifier: GPL-2.0-only
#include <lwk/arch.h>
#include <lwk/cpu.h>
#include <lwk/cpus.h>
#include <lwk/panic.h>
#include <lwk/pmem.h>
#include <lwk/sched.h>

static void rq_push(struct cpu *c, struct thread *t)
{
	t->rq_next = NULL;
	if (c->rq_tail)
		c->rq_tail->rq_next = t;
	else
		c->rq_head = t;
	c->rq_tail = t;
}

static struct thread *rq_pop(struct cpu *c)
{
	struct thread *t = c->rq_head;

	if (t) {
		c->rq_head = t->rq_next;
		if (!c->rq_head)
			c->rq_tail = NULL;
	}
	return t;
}

/* Run @next in place of whatever runs now (a thread, or the idle loop when
 * c->current is NULL). Interrupts are off throughout. */
static void switch_to(struct cpu *c, struct thread *next)
{
	struct thread *prev = c->current;
	uint64_t *save = prev ? &prev->ksp : &c->idle_ksp;
	uint64_t now = arch_cycles();

	if (prev == next) { /* it blocked and was woken before it switched */
		if (next)
			next->state = THREAD_RUNNING;
		return;
	}
	/* CPU time: threads that share a core split it (a dead thread's
	 * went to its process in thread_exit). */
	if (next)
		next->run_since = now;
	if (prev && prev->state != THREAD_DEAD) {
		prev->cpu_cycles += now - prev->run_since;
		arch_fpu_save(prev->fpu);
		arch_tls_save(&prev->arch);
	}
	c->current = next;
	if (next) {
		next->state = THREAD_RUNNING;
		arch_set_kernel_stack(next->kstack_top);
		arch_uspace_activate(next->proc->uvm.root_pa);
		arch_tls_load(&next->arch);
		arch_fpu_restore(next->fpu);
		arch_context_switch(save, next->ksp);
	} else {
		arch_uspace_deactivate();
		arch_context_switch(save, c->idle_ksp);
	}
}

/* Pick what runs next on this core: the next queued thread, or idle. */
static void schedule(struct cpu *c)
{
	struct thread *next;
	uint64_t flags = arch_irq_save();

	if (c->word_waiters) /* one of them may run again now */
		sched_check_timeouts(c);
	spin_lock(&c->rq_lock);
	next = rq_pop(c);
	spin_unlock(&c->rq_lock);
	switch_to(c, next);
	arch_irq_restore(flags);
}

void sched_wake(struct thread *t)
{
	struct cpu *c = t->cpu;
	uint64_t flags = arch_irq_save();
	bool queued = false;

	spin_lock(&c->rq_lock);
	if (t->state == THREAD_BLOCKED) {
		t->state = THREAD_RUNNABLE;
		rq_push(c, t);
		queued = true;
	} else if (t->state == THREAD_RUNNING) {
		t->wake_pending = true; /* it has not blocked yet: it won't */
	}
	spin_unlock(&c->rq_lock);
	/* Pairs with the idle loop's store of 'halted' before it looks at its
	 * queue: a full fence, or the load below could pass our queue store
	 * (x86 lets loads pass stores) and both sides would miss each other. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (queued && c != this_cpu() && __atomic_load_n(&c->halted, __ATOMIC_SEQ_CST))
		arch_cpu_wake(c);
	arch_irq_restore(flags);
}

static bool block(uint64_t deadline_ns, const volatile uint32_t *word, uint32_t want)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	uint64_t flags = arch_irq_save();

	spin_lock(&c->rq_lock);
	if (t->wake_pending) {
		t->wake_pending = false;
		spin_unlock(&c->rq_lock);
		arch_irq_restore(flags);
		return false;
	}
	t->state = THREAD_BLOCKED;
	t->timed_out = false;
	t->deadline_ns = deadline_ns;
	t->wait_word = word;
	t->wait_want = want;
	c->timed_sleepers += !!deadline_ns;
	c->word_waiters += !!word;
	spin_unlock(&c->rq_lock);
	if (c->timed_sleepers && !c->word_waiters)
		sched_check_timeouts(c); /* a core-mate's may be due (schedule
					  * looks itself when words wait) */
	schedule(c);
	c->timed_sleepers -= !!deadline_ns;
	c->word_waiters -= !!word;
	t->deadline_ns = 0;
	t->wait_word = NULL;
	arch_irq_restore(flags);
	return t->timed_out;
}

bool sched_block(uint64_t deadline_ns)
{
	return block(deadline_ns, NULL, 0);
}

bool sched_block_until(const volatile uint32_t *word, uint32_t want, uint64_t deadline_ns)
{
	return block(deadline_ns, word, want);
}

static bool word_ready(const struct thread *t)
{
	return t->wait_word && __atomic_load_n(t->wait_word, __ATOMIC_ACQUIRE) == t->wait_want;
}

bool sched_words_ready(struct cpu *c)
{
	struct thread *t;

	if (!c->word_waiters)
		return false;
	for (unsigned int i = 0; (t = thread_table_iter(i)); i++)
		if (t->cpu == c && t->state == THREAD_BLOCKED && word_ready(t))
			return true;
	return false;
}

bool sched_yield_cpu(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	uint64_t flags = arch_irq_save();

	/* Sleepers time out in the idle loop, which a core whose threads
	 * only yield never reaches: look here too. */
	if (c->timed_sleepers)
		sched_check_timeouts(c);
	spin_lock(&c->rq_lock);
	if (!c->rq_head) { /* nobody else wants the core */
		spin_unlock(&c->rq_lock);
		arch_irq_restore(flags);
		return false;
	}
	t->state = THREAD_RUNNABLE;
	rq_push(c, t);
	spin_unlock(&c->rq_lock);
	schedule(c);
	arch_irq_restore(flags);
	return true;
}

__noreturn void sched_exit_thread(void)
{
	struct cpu *c = this_cpu();

	arch_irq_disable();
	c->current->state = THREAD_DEAD;
	c->current->rq_next = c->zombies; /* freed from the idle loop */
	c->zombies = c->current;
	c->nthreads--;
	schedule(c);
	panic("a dead thread was scheduled again");
}

/* On the idle stack no exited thread's kernel stack is in use. */
void sched_reap(struct cpu *c)
{
	while (c->zombies) {
		struct thread *t = c->zombies;

		c->zombies = t->rq_next;
		thread_reap(t);
	}
}

bool sched_run_queued(struct cpu *c)
{
	struct thread *next;

	spin_lock(&c->rq_lock);
	next = rq_pop(c);
	spin_unlock(&c->rq_lock);
	if (!next)
		return false;
	switch_to(c, next);
	return true;
}

/* The threads of this core that wait with a deadline or on a word. Threads
 * live in a small static table (proc.c), so a scan is cheap. */
uint64_t sched_check_timeouts(struct cpu *c)
{
	struct thread *t;
	uint64_t now = 0, next = 0;

	for (unsigned int i = 0; (t = thread_table_iter(i)); i++) {
		if (t->cpu != c || t->state != THREAD_BLOCKED)
			continue;
		if (word_ready(t)) {
			sched_wake(t);
			continue;
		}
		if (!t->deadline_ns)
			continue;
		if (!now)
			now = time_monotonic_ns();
		if (now >= t->deadline_ns) {
			t->timed_out = true;
			sched_wake(t);
		} else if (!next || t->deadline_ns < next) {
			next = t->deadline_ns;
		}
	}
	return next;
}

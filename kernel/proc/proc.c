// SPDX-License-Identifier: GPL-2.0-only
/* Processes and threads: creation, running a thread, and the end of it all. */
#include <string.h>
#include <lwk/arch.h>
#include <lwk/cpu.h>
#include <lwk/cpus.h>
#include <lwk/errno.h>
#include <lwk/futex.h>
#include <lwk/log.h>
#include <lwk/pmem.h>
#include <lwk/proc.h>
#include <lwk/sched.h>

static struct proc procs[16];
static int next_pid = 1;
static struct thread threads[256];
static struct spinlock slots_lock = SPINLOCK_INIT;

unsigned int thread_index(const struct thread *t)
{
	return (unsigned int)(t - threads);
}

struct thread *thread_table_iter(unsigned int i)
{
	return i < ARRAY_SIZE(threads) ? &threads[i] : NULL;
}

int proc_create(uint64_t mem, const char *name, struct proc **out)
{
	struct proc *p = NULL;
	int err;

	for (unsigned int i = 0; i < ARRAY_SIZE(procs) && !p; i++)
		if (!procs[i].pid)
			p = &procs[i];
	if (!p)
		return -EAGAIN;
	memset(p, 0, sizeof(*p));
	err = uvm_create(&p->uvm, mem);
	if (err)
		return err;
	p->pid = next_pid++;
	p->start_tsc = arch_cycles();
	strlcpy(p->name, name, sizeof(p->name));
	*out = p;
	return 0;
}

static void thread_slot_clear(struct thread *t);

void proc_destroy(struct proc *p)
{
	for (unsigned int i = 0; i < p->nthreads; i++) {
		struct thread *t = p->threads[i];

		pmem_free(arch_virt_to_phys((void *)t->kstack_base), THREAD_KSTACK_SHIFT);
		pmem_free(arch_virt_to_phys(t->fpu), THREAD_FPU_SHIFT);
		memset(t, 0, sizeof(*t));
	}
	/* The slots its ended threads kept from reuse (thread_reap). */
	for (unsigned int i = 0; i < ARRAY_SIZE(threads); i++)
		if (READ_ONCE(threads[i].proc) == p)
			thread_slot_clear(&threads[i]);
	uvm_destroy(&p->uvm);
	memset(p, 0, sizeof(*p));
}

int thread_create(struct proc *p, struct thread **out)
{
	struct thread *t = NULL;
	paddr_t stack, fpu;
	uint64_t flags = arch_irq_save();

	spin_lock(&slots_lock);
	for (unsigned int i = 0; i < ARRAY_SIZE(threads) && !t; i++)
		if (!threads[i].proc)
			t = &threads[i];
	if (t)
		t->proc = p; /* claimed */
	spin_unlock(&slots_lock);
	arch_irq_restore(flags);
	if (!t || p->nthreads == PROC_MAX_THREADS || READ_ONCE(p->exiting)) {
		if (t)
			t->proc = NULL;
		return -EAGAIN;
	}
	if (arch_fpu_state_size() > (1u << THREAD_FPU_SHIFT) ||
	    pmem_alloc(THREAD_KSTACK_SHIFT, &stack)) {
		t->proc = NULL;
		return -ENOMEM;
	}
	if (pmem_alloc(THREAD_FPU_SHIFT, &fpu)) {
		pmem_free(stack, THREAD_KSTACK_SHIFT);
		t->proc = NULL;
		return -ENOMEM;
	}
	/* A free slot is all zeros (thread_reap leaves it so): only the
	 * claim, proc, is set already. */
	t->fpu = arch_phys_to_virt(fpu);
	arch_fpu_init_area(t->fpu);
	/* The first thread's ID is the process ID, as on Linux. */
	t->tid = p->pid_given ? next_pid++ : p->pid;
	p->pid_given = true;
	t->kstack_base = (uint64_t)arch_phys_to_virt(stack);
	t->kstack_top = t->kstack_base + (1ull << THREAD_KSTACK_SHIFT);
	t->state = THREAD_NEW;
	flags = arch_irq_save();
	spin_lock(&p->lock);
	p->threads[p->nthreads++] = t;
	if (p->exiting) /* it began to end meanwhile: this one dies at start */
		t->sig_pending |= SIG_BIT(SIGKILL);
	spin_unlock(&p->lock);
	arch_irq_restore(flags);
	*out = t;
	return 0;
}

/* A free slot is all zeros; thread_create claims one by its proc, so that
 * goes last, after the rest is cleared. */
static void thread_slot_clear(struct thread *t)
{
	size_t at = offsetof(struct thread, proc), after = at + sizeof(t->proc);

	memset(t, 0, at);
	memset((char *)t + after, 0, sizeof(*t) - after);
	__atomic_store_n(&t->proc, NULL, __ATOMIC_RELEASE);
}

/* Everything but the claim goes; the slot stays @t->proc's, dead. */
static void thread_slot_retain(struct thread *t)
{
	size_t at = offsetof(struct thread, proc), after = at + sizeof(t->proc);

	memset(t, 0, at);
	memset((char *)t + after, 0, sizeof(*t) - after);
	t->state = THREAD_DEAD;
}

/* The last thread of @p is gone and no core runs on its page tables any
 * more (each core left them when it switched away from its last thread):
 * say how it ended, then give its memory and its slot back. */
static void proc_finish(struct proc *p)
{
	/* Read before ended(): for a channel process, the service core may
	 * free @p as soon as ended() has told it. */
	bool keep = p->chan != NULL;

	log_info("pid %d (%s) ended: %s %d", p->pid, p->name,
		 p->exit_status & 0x7f ? "killed by signal" : "exit status",
		 p->exit_status & 0x7f ? p->exit_status & 0x7f : (p->exit_status >> 8) & 0xff);
	if (p->ended)
		p->ended(p);
	if (!keep)
		proc_destroy(p);
}

void thread_reap(struct thread *t)
{
	struct proc *p = t->proc;
	uint64_t flags = arch_irq_save();
	bool last = false;

	spin_lock(&p->lock);
	for (unsigned int i = 0; i < p->nthreads; i++) {
		if (p->threads[i] == t) {
			p->threads[i] = p->threads[--p->nthreads];
			last = !p->nthreads;
			break;
		}
	}
	spin_unlock(&p->lock);
	pmem_free(arch_virt_to_phys((void *)t->kstack_base), THREAD_KSTACK_SHIFT);
	pmem_free(arch_virt_to_phys(t->fpu), THREAD_FPU_SHIFT);
	/* A thread's slot is also its channel slot, and its proxy may still
	 * answer a call the thread abandoned when it was killed: the slot
	 * stays the process's until the proxy released it (proc_destroy), so
	 * such a late answer can never land in another process's call. */
	if (p->chan)
		thread_slot_retain(t);
	else
		thread_slot_clear(t);
	if (last)
		proc_finish(p);
	arch_irq_restore(flags);
}

/* mprotect took rights away: the other cores running this process flush
 * their TLBs before the call returns, as Linux's shootdown does. */
void proc_tlb_shootdown(struct proc *p)
{
	uint64_t end = arch_cycles() + arch_tsc_hz(); /* 1 s at most */
	struct cpu *self = this_cpu();

	for_each_cpu (c) {
		struct thread *cur = READ_ONCE(c->current);

		if (c == self || c->state != CPU_ONLINE || !cur || cur->proc != p)
			continue;
		__atomic_store_n(&c->tlb_flush, 1, __ATOMIC_SEQ_CST);
		arch_cpu_wake(c);
		while (__atomic_load_n(&c->tlb_flush, __ATOMIC_SEQ_CST) && arch_cycles() < end) {
			/* That core may be waiting on us the same way, with
			 * interrupts off in its syscall: do what it asks. */
			if (__atomic_load_n(&self->tlb_flush, __ATOMIC_SEQ_CST)) {
				arch_tlb_flush_all();
				__atomic_store_n(&self->tlb_flush, 0, __ATOMIC_SEQ_CST);
			}
			arch_pause();
		}
		if (c->tlb_flush)
			log_warn("cpu%u did not acknowledge a TLB shootdown within 1 s", c->id);
	}
}

/* A thread's CPU time moves to its process's account, under the lock that
 * proc_cpu_cycles reads with, so it is never counted twice. */
static void thread_cpu_retire(struct thread *t)
{
	uint64_t flags = arch_irq_save();

	spin_lock(&t->proc->lock);
	t->proc->dead_cpu_cycles += thread_cpu_cycles();
	t->cpu_cycles = 0;
	t->run_since = UINT64_MAX; /* no slice running from now on */
	spin_unlock(&t->proc->lock);
	arch_irq_restore(flags);
}

struct thread *proc_find_thread(struct proc *p, int tid)
{
	struct thread *t = NULL;
	uint64_t flags = arch_irq_save();

	spin_lock(&p->lock);
	for (unsigned int i = 0; i < p->nthreads && !t; i++) {
		struct thread *o = p->threads[i];

		if (o->tid == tid && o->state != THREAD_DEAD && o->state != THREAD_NEW)
			t = o;
	}
	spin_unlock(&p->lock);
	arch_irq_restore(flags);
	return t;
}

uint64_t thread_cpu_cycles(void)
{
	struct thread *t = thread_current();

	return t->cpu_cycles + (arch_cycles() - t->run_since);
}

/* Other cores' threads are read without stopping them: a running slice
 * may be seen a moment late, never twice. */
uint64_t proc_cpu_cycles(struct proc *p)
{
	uint64_t now = arch_cycles(), flags = arch_irq_save();
	uint64_t sum;

	spin_lock(&p->lock);
	sum = p->dead_cpu_cycles;
	for (unsigned int i = 0; i < p->nthreads; i++) {
		struct thread *t = p->threads[i];
		uint64_t ran = READ_ONCE(t->cpu_cycles), since = READ_ONCE(t->run_since);

		if (t->state == THREAD_RUNNING && now > since)
			ran += now - since;
		sum += ran;
	}
	spin_unlock(&p->lock);
	arch_irq_restore(flags);
	return sum;
}

struct thread *thread_current(void)
{
	return this_cpu()->current;
}

void thread_start(struct thread *t, struct cpu *cpu, uint64_t entry, uint64_t sp)
{
	t->cpu = cpu;
	t->ksp = arch_thread_init(t->kstack_top, NULL, entry, sp);
	t->proc->nlive++;
	__atomic_fetch_add(&cpu->nthreads, 1, __ATOMIC_RELAXED);
	/* so that the wake below queues it; t->cpu is visible before it */
	__atomic_store_n(&t->state, THREAD_BLOCKED, __ATOMIC_RELEASE);
	sched_wake(t);
}

/* Sets the process's status if it is not ending already; true if so. */
static bool proc_set_exiting(struct proc *p, int wait_status)
{
	bool first = !p->exiting;

	if (first) {
		p->exiting = true;
		p->exit_status = wait_status;
	}
	return first;
}

/* Every other thread gets SIGKILL, which no mask blocks: a blocked one
 * wakes (its wait ends), a running one on another core is interrupted,
 * and each dies on its way back to user mode. Under p->lock no thread can
 * be reaped, so each pointer stays valid. */
static void proc_kill_others(struct proc *p, struct thread *self)
{
	for (unsigned int i = 0; i < p->nthreads; i++) {
		struct thread *t = p->threads[i];

		if (t == self)
			continue;
		__atomic_fetch_or(&t->sig_pending, SIG_BIT(SIGKILL), __ATOMIC_SEQ_CST);
		/* One still inside clone has no core yet: it dies at its first
		 * entry, which checks signals. */
		if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == THREAD_NEW)
			continue;
		sched_wake(t);
		/* Running, or queued on a core that may be halted: either way
		 * its core must look (a spare wake-up costs one idle turn). */
		if (t->state != THREAD_BLOCKED && t->cpu != this_cpu())
			arch_cpu_wake(t->cpu);
	}
}

struct cpu *proc_next_core(struct proc *p)
{
	for (unsigned int tries = 0; tries < p->ncores; tries++) {
		struct cpu *c = &cpus[p->cores[p->next_core]];

		p->next_core = (p->next_core + 1) % p->ncores;
		if (c->state == CPU_ONLINE)
			return c;
	}
	return this_cpu();
}

void proc_kill_locked(struct proc *p, int wait_status)
{
	if (proc_set_exiting(p, wait_status))
		proc_kill_others(p, NULL);
}

void proc_kill(struct proc *p)
{
	uint64_t flags = arch_irq_save();

	spin_lock(&p->lock);
	proc_kill_locked(p, SIGKILL);
	spin_unlock(&p->lock);
	arch_irq_restore(flags);
}

unsigned int proc_kill_again(struct proc *p)
{
	uint64_t flags = arch_irq_save();
	unsigned int n;

	spin_lock(&p->lock);
	n = p->nthreads;
	if (p->exiting && n)
		proc_kill_others(p, NULL);
	spin_unlock(&p->lock);
	arch_irq_restore(flags);
	return n;
}

int proc_signal(struct proc *p, int sig)
{
	struct ksiginfo info = { .signo = sig, .code = SI_USER };

	if (sig <= 0 || sig > NSIG)
		return -EINVAL;
	if (sig == SIGKILL) { /* even a process with no thread running yet */
		proc_kill(p);
		return 0;
	}
	return signal_send_process(p, &info);
}

__noreturn void proc_exit(struct proc *p, int wait_status)
{
	uint64_t flags = arch_irq_save();

	spin_lock(&p->lock);
	if (proc_set_exiting(p, wait_status))
		proc_kill_others(p, thread_current());
	spin_unlock(&p->lock);
	arch_irq_restore(flags);
	thread_exit(wait_status);
}

/* What a thread leaves behind for the others, as Linux's mm_release:
 * its robust locks go to their waiters, and its CLONE_CHILD_CLEARTID word
 * is cleared and woken (that is how pthread_join learns of the end). */
static void thread_release_user_state(struct thread *t)
{
	uint32_t zero = 0;

	futex_exit_robust_list(t);
	if (t->clear_child_tid && !uvm_copy_out(&t->proc->uvm, t->clear_child_tid, &zero, 4))
		futex_wake(t->proc, t->clear_child_tid, 1, 0xffffffffu);
	t->clear_child_tid = 0;
}

__noreturn void thread_exit(int wait_status)
{
	struct proc *p = thread_current()->proc;

	thread_release_user_state(thread_current());
	thread_cpu_retire(thread_current());
	if (thread_current()->tid == p->pid)
		p->leader_status = wait_status;
	if (__atomic_sub_fetch(&p->nlive, 1, __ATOMIC_ACQ_REL) == 0) {
		uint64_t flags = arch_irq_save();

		spin_lock(&p->lock);
		/* All threads left by exit(): the process's status is its
		 * first thread's, as Linux reports the group leader's. */
		proc_set_exiting(p, p->leader_status);
		spin_unlock(&p->lock);
		arch_irq_restore(flags);
	}
	sched_exit_thread();
}

void thread_return_to_user(struct trap_frame *tf)
{
	if (thread_current()->sig_pending)
		signal_deliver(tf);
}

static const char *const signal_names[] = {
	[4] = "SIGILL", [5] = "SIGTRAP", [7] = "SIGBUS", [8] = "SIGFPE", [11] = "SIGSEGV",
};

__noreturn void proc_user_fault(int signo, uint64_t pc, uint64_t addr, const char *what)
{
	struct thread *t = thread_current();
	const char *name = signo < (int)ARRAY_SIZE(signal_names) && signal_names[signo]
			       ? signal_names[signo]
			       : "signal";

	log_info("pid %d (%s) tid %d: %s at rip 0x%llx, address 0x%llx: %s", t->proc->pid,
		 t->proc->name, t->tid, what, (unsigned long long)pc, (unsigned long long)addr,
		 name);
	proc_exit(t->proc, signo); /* killed by a signal: wait status = signo */
}

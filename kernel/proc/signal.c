// SPDX-License-Identifier: GPL-2.0-only
/* Signals: actions, masks, pending sets, alternate stacks, and delivery. */
#include <string.h>
#include <lwk/arch.h>
#include <lwk/cpu.h>
#include <lwk/errno.h>
#include <lwk/log.h>
#include <lwk/proc.h>
#include <lwk/sched.h>
#include <lwk/signal.h>
#include <lwk/syscall.h>

#define SIG_DFL 0
#define SIG_IGN 1
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048
#define UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
#define RED_ZONE 128

static bool ignored_by_default(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

static bool stops_by_default(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* The default action of @sig for process @p, if it is not "nothing". */
static void signal_default(struct proc *p, int sig)
{
	if (ignored_by_default(sig))
		return;
	if (stops_by_default(sig)) {
		log_warn("pid %d: signal %d would stop the process; job control is not supported",
			 p->pid, sig);
		return;
	}
	proc_exit(p, sig);
}

/* Would @sig be thrown away on arrival (Linux discards those at once)? */
static bool signal_ignored(struct proc *p, int sig)
{
	uint64_t handler = p->sigactions[sig - 1].handler;

	return sig != SIGKILL &&
	       (handler == SIG_IGN || (handler == SIG_DFL && ignored_by_default(sig)));
}

static int pending_add(struct thread *t, const struct ksiginfo *info)
{
	int sig = info->signo;

	if (sig >= SIGRTMIN_KERNEL) { /* real-time signals queue, in order */
		if (t->sig_queued == SIGQUEUE_MAX)
			return -EAGAIN;
		t->sig_queue[t->sig_queued++] = *info;
	} else if (!(t->sig_pending & SIG_BIT(sig))) {
		t->sig_info[sig - 1] = *info; /* standard signals do not queue */
	}
	__atomic_fetch_or(&t->sig_pending, SIG_BIT(sig), __ATOMIC_SEQ_CST);
	return 0;
}

/* Does @sig end process @p when it acts: SIGKILL, or a signal left to a
 * default action that terminates (Linux's sig_fatal)? */
static bool signal_fatal(struct proc *p, int sig)
{
	return sig == SIGKILL || (p->sigactions[sig - 1].handler == SIG_DFL &&
				  !ignored_by_default(sig) && !stops_by_default(sig));
}

/* Under p->lock: make @sig pending for @t and see that it acts.
 *
 * A fatal one ends the whole process here and now, as Linux's
 * complete_signal does: waking @t is not enough, since @t may be queued
 * behind a core-mate that never blocks (threads sharing a core take turns
 * only when one does), and then it would never run to die. Every thread
 * gets SIGKILL instead: running ones are interrupted, queued ones die
 * when their core gets to them, which it does once the running one died.
 * sigtimedwait's own signals are not fatal: the call takes them.
 *
 * Otherwise a blocked thread wakes (its wait ends with EINTR); a running
 * one is told not to block (wake_pending) and, on another core,
 * interrupted so that it goes through delivery. A thread still in clone
 * has no core yet; it looks at its signals when it starts. */
static int send_locked(struct thread *t, const struct ksiginfo *info)
{
	int sig = info->signo, err = pending_add(t, info);

	if (err || (t->sig_blocked & SIG_BIT(sig)))
		return err;
	if (signal_fatal(t->proc, sig) && !(t->sig_real_blocked & SIG_BIT(sig))) {
		proc_kill_locked(t->proc, sig);
		return 0;
	}
	if (t->state == THREAD_NEW)
		return 0;
	sched_wake(t);
	if (t != thread_current() && t->state == THREAD_RUNNING)
		arch_cpu_wake(t->cpu);
	return 0;
}

/* Will @t have its core soon: it runs, or its core has nothing else to
 * run? One queued behind a core-mate may wait for ever (no preemption). */
static bool thread_gets_core(const struct thread *t)
{
	return t->state == THREAD_RUNNING || !READ_ONCE(t->cpu->current);
}

/* Under p->lock: the thread that a signal for the whole process goes to.
 * The caller, if it is one of p's and does not block it (kill(getpid())
 * acts before it returns). Else the first that does not block it and will
 * run, so that a handler runs even where threads outnumber cores and the
 * first thread (in pthread_join, say) is queued behind a spinner; else the
 * first that does not block it; else the first of all, where it stays
 * pending until unblocked. */
static struct thread *process_target(struct proc *p, int sig)
{
	struct thread *self = thread_current(), *first = NULL, *willing = NULL;

	if (self && self->proc == p && !(self->sig_blocked & SIG_BIT(sig)))
		return self;
	for (unsigned int i = 0; i < p->nthreads; i++) {
		struct thread *o = p->threads[i];

		if (o->state == THREAD_DEAD || o->state == THREAD_NEW)
			continue;
		first = first ? first : o;
		if (o->sig_blocked & SIG_BIT(sig))
			continue;
		if (thread_gets_core(o))
			return o;
		willing = willing ? willing : o;
	}
	return willing ? willing : first;
}

/* To thread @t of @p or, if @t is NULL, to the thread of @p that should
 * take a signal for the whole process. */
static int send_signal(struct proc *p, struct thread *t, const struct ksiginfo *info)
{
	uint64_t flags;
	int err;

	if (signal_ignored(p, info->signo))
		return 0;
	flags = arch_irq_save();
	spin_lock(&p->lock);
	if (!t)
		t = process_target(p, info->signo);
	/* Found without the lock: it may have ended (and been reaped) since. */
	else if (t->proc != p || t->state == THREAD_DEAD)
		t = NULL;
	err = t ? send_locked(t, info) : -ESRCH;
	spin_unlock(&p->lock);
	arch_irq_restore(flags);
	return err;
}

int signal_send(struct thread *t, const struct ksiginfo *info)
{
	struct proc *p = READ_ONCE(t->proc);

	return p ? send_signal(p, t, info) : -ESRCH; /* NULL: a free slot */
}

int signal_send_process(struct proc *p, const struct ksiginfo *info)
{
	return send_signal(p, NULL, info);
}

/* Take @sig off the pending set: its info, and for a real-time signal the
 * oldest queued instance (the bit stays while more are queued). */
static struct ksiginfo signal_take(struct thread *t, int sig)
{
	struct ksiginfo info = t->sig_info[sig - 1];
	uint64_t flags = arch_irq_save();
	bool more = false;

	spin_lock(&t->proc->lock);
	if (sig >= SIGRTMIN_KERNEL) {
		unsigned int i = 0;

		while (i < t->sig_queued && t->sig_queue[i].signo != sig)
			i++;
		if (i < t->sig_queued) {
			info = t->sig_queue[i];
			memmove(&t->sig_queue[i], &t->sig_queue[i + 1],
				(t->sig_queued - i - 1) * sizeof(info));
			t->sig_queued--;
		}
		for (i = 0; i < t->sig_queued && !more; i++)
			more = t->sig_queue[i].signo == sig;
	}
	if (!more)
		__atomic_fetch_and(&t->sig_pending, ~SIG_BIT(sig), __ATOMIC_SEQ_CST);
	spin_unlock(&t->proc->lock);
	arch_irq_restore(flags);
	return info;
}

bool signal_interrupts(const struct thread *t)
{
	return t->sig_pending & ~t->sig_blocked;
}

static int lowest_signal(uint64_t set)
{
	return set ? __builtin_ctzll(set) + 1 : 0;
}

/* Is @sp on the thread's alternate stack? */
static bool on_altstack(const struct thread *t, uint64_t sp)
{
	return t->altstack_size && sp - t->altstack_sp <= t->altstack_size;
}

/* Linux's rules for a system call that a signal interrupted, applied when
 * the signal is delivered (@ka: the handler that runs, NULL if none): a
 * handler without SA_RESTART, or any handler after a call that handlers
 * never restart, makes it fail with EINTR; otherwise it runs again, as if
 * the signal had not come (an ignored signal, one whose default action is
 * to ignore it or to stop). */
static void syscall_restart(struct thread *t, struct trap_frame *tf, const struct k_sigaction *ka)
{
	int code = t->restart_code;

	if (!code)
		return;
	t->restart_code = 0;
	if (ka && (code == ERESTARTNOHAND || !(ka->flags & SA_RESTART)))
		arch_syscall_set_return(tf, -EINTR);
	else
		arch_syscall_restart(tf, t->restart_nr);
}

void signal_syscall_result(struct thread *t, uint64_t nr, int64_t ret)
{
	/* rt_sigreturn "returns" the return register of the context it restores, which
	 * may hold any value at all: never a restart request. */
	if (nr != NR_rt_sigreturn && (ret == -ERESTARTSYS || ret == -ERESTARTNOHAND)) {
		t->restart_nr = nr;
		t->restart_code = (int)-ret;
	}
}

/* A temporary mask that no handler's frame took over ends with the call. */
static void saved_mask_restore(struct thread *t)
{
	if (t->sig_restore_mask) {
		t->sig_blocked = t->sig_saved_mask;
		t->sig_restore_mask = false;
	}
}

void signal_syscall_finish(struct trap_frame *tf)
{
	struct thread *t = thread_current();

	syscall_restart(t, tf, NULL);
	saved_mask_restore(t);
}

/* Under the process lock, which signal_send holds while it decides whether
 * to wake the thread: a signal that @mask unblocks is either pending
 * already when the caller looks, or sent after, and then it wakes. */
static void mask_set_locked(struct thread *t, uint64_t mask)
{
	uint64_t flags = arch_irq_save();

	spin_lock(&t->proc->lock);
	t->sig_blocked = mask & ~UNBLOCKABLE;
	spin_unlock(&t->proc->lock);
	arch_irq_restore(flags);
}

void signal_mask_begin(struct thread *t, uint64_t mask)
{
	t->sig_saved_mask = t->sig_blocked;
	t->sig_restore_mask = true;
	mask_set_locked(t, mask);
}

void signal_mask_end(struct thread *t, int64_t ret)
{
	/* As Linux: the mask stays for the handler only if the call was
	 * interrupted; a call that completed leaves later signals blocked. */
	if (ret != -ERESTARTNOHAND)
		saved_mask_restore(t);
}

/* The mask a handler's frame records, which its sigreturn puts back: the
 * thread's own, also when the call it interrupted ran under another. */
static uint64_t frame_mask(struct thread *t)
{
	if (!t->sig_restore_mask)
		return t->sig_blocked;
	t->sig_restore_mask = false;
	return t->sig_saved_mask;
}

static void run_handler(struct thread *t, struct trap_frame *tf, int sig,
			const struct ksiginfo *info)
{
	struct k_sigaction ka = t->proc->sigactions[sig - 1];
	uint64_t sp, old_mask = frame_mask(t);

	/* Before the frame is written: it records where the handler returns
	 * to, which is the system call again if it restarts. */
	syscall_restart(t, tf, &ka);
	sp = arch_frame_user_sp(tf);

	if ((ka.flags & SA_ONSTACK) && t->altstack_size && !(t->altstack_flags & SS_DISABLE) &&
	    !on_altstack(t, sp))
		sp = t->altstack_sp + t->altstack_size;
	else
		sp -= RED_ZONE;
	if (arch_signal_frame_setup(t, tf, sp, sig, info, &ka, old_mask)) {
		log_info("pid %d tid %d: cannot write the frame for signal %d at 0x%llx: SIGSEGV",
			 t->proc->pid, t->tid, sig, (unsigned long long)sp);
		proc_exit(t->proc, SIGSEGV);
	}
	t->sig_blocked |= ka.mask | (ka.flags & SA_NODEFER ? 0 : SIG_BIT(sig));
	t->sig_blocked &= ~UNBLOCKABLE;
	if (ka.flags & SA_RESETHAND)
		t->proc->sigactions[sig - 1].handler = SIG_DFL;
}

/* Act on the pending, unblocked signals in turn until one has a handler to
 * run; false if none had. */
static bool deliver_pending(struct thread *t, struct trap_frame *tf)
{
	int sig;

	while ((sig = lowest_signal(t->sig_pending & ~t->sig_blocked))) {
		uint64_t handler = t->proc->sigactions[sig - 1].handler;
		struct ksiginfo info = signal_take(t, sig);

		if (sig == SIGKILL || handler == SIG_DFL)
			signal_default(t->proc, sig);
		else if (handler != SIG_IGN) {
			run_handler(t, tf, sig, &info);
			return true; /* one frame at a time; the rest after sigreturn */
		}
	}
	return false;
}

void signal_deliver(struct trap_frame *tf)
{
	struct thread *t = thread_current();

	/* As Linux: a kill (or the end of the process) comes before any
	 * handler, or a handler could run on in a dying process. */
	if (t->sig_pending & SIG_BIT(SIGKILL))
		signal_default(t->proc, SIGKILL);
	if (deliver_pending(t, tf))
		return;
	/* No handler took over a call's temporary mask: it ends here, and
	 * what it held back is delivered now, not at some later entry. */
	if (t->sig_restore_mask) {
		saved_mask_restore(t);
		if (deliver_pending(t, tf))
			return;
	}
	syscall_restart(t, tf, NULL); /* no handler ran: the call runs again */
}

void signal_fault(struct trap_frame *tf, const struct ksiginfo *info, const char *what)
{
	struct thread *t = thread_current();
	int sig = info->signo;
	uint64_t handler = t->proc->sigactions[sig - 1].handler;

	/* As Linux's force_sig: a blocked or ignored fault signal kills. */
	if (handler == SIG_DFL || handler == SIG_IGN || (t->sig_blocked & SIG_BIT(sig)))
		proc_user_fault(sig, arch_frame_pc(tf), info->addr, what);
	run_handler(t, tf, sig, info);
}

/* ---- system calls ---------------------------------------------------------- */

static struct thread *cur(void)
{
	return thread_current();
}

int64_t sys_rt_sigaction(const struct syscall_args *sa)
{
	struct proc *p = cur()->proc;
	int sig = (int)sa->a[0];
	struct k_sigaction act, old;

	if (sig < 1 || sig > NSIG || sa->a[3] != 8)
		return -EINVAL;
	old = p->sigactions[sig - 1];
	if (sa->a[1]) {
		if (uvm_copy_in(&p->uvm, &act, sa->a[1], sizeof(act)))
			return -EFAULT;
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
		if (act.handler > SIG_IGN && !(act.flags & SA_RESTORER))
			return -EINVAL; /* x86_64 returns through sa_restorer */
		act.mask &= ~UNBLOCKABLE;
		p->sigactions[sig - 1] = act;
	}
	if (sa->a[2] && uvm_copy_out(&p->uvm, sa->a[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

int64_t sys_rt_sigprocmask(const struct syscall_args *sa)
{
	struct thread *t = cur();
	uint64_t set, old = t->sig_blocked;

	if (sa->a[3] != 8)
		return -EINVAL;
	if (sa->a[1]) {
		if (uvm_copy_in(&t->proc->uvm, &set, sa->a[1], 8))
			return -EFAULT;
		if (sa->a[0] == SIG_BLOCK)
			t->sig_blocked |= set;
		else if (sa->a[0] == SIG_UNBLOCK)
			t->sig_blocked &= ~set;
		else if (sa->a[0] == SIG_SETMASK)
			t->sig_blocked = set;
		else
			return -EINVAL;
		t->sig_blocked &= ~UNBLOCKABLE;
	}
	if (sa->a[2] && uvm_copy_out(&t->proc->uvm, sa->a[2], &old, 8))
		return -EFAULT;
	return 0;
}

/* sigsuspend(2): wait under @mask until a signal is delivered. It always
 * ends interrupted: with EINTR once a handler ran (whose sigreturn brings
 * the old mask back), or run again if the signal needed no handler. */
/* pause: sigsuspend with the mask the thread has. A signal lives here,
 * not in the proxy, so waiting for one is the LWK's business. */
int64_t sys_pause(const struct syscall_args *sa)
{
	struct thread *t = cur();

	while (!signal_interrupts(t))
		sched_block(0);
	return -ERESTARTNOHAND;
}

int64_t sys_rt_sigsuspend(const struct syscall_args *sa)
{
	struct thread *t = cur();
	uint64_t mask;

	if (sa->a[1] != 8)
		return -EINVAL;
	if (uvm_copy_in(&t->proc->uvm, &mask, sa->a[0], 8))
		return -EFAULT;
	signal_mask_begin(t, mask);
	while (!signal_interrupts(t))
		sched_block(0);
	return -ERESTARTNOHAND;
}

/* Take the lowest signal of @set that is pending, and tell the caller
 * about it in the siginfo at @uinfo (if not 0); 0 if none is pending. */
static int64_t sigwait_take(struct thread *t, uint64_t set, uint64_t uinfo)
{
	int sig = lowest_signal(__atomic_load_n(&t->sig_pending, __ATOMIC_ACQUIRE) & set);
	struct ksiginfo info;

	if (!sig)
		return 0;
	info = signal_take(t, sig);
	if (uinfo && arch_siginfo_copy_out(t, uinfo, sig, &info))
		return -EFAULT; /* as Linux: the signal is taken all the same */
	return sig;
}

/* Wait until a signal of @set or another unblocked one is pending, or
 * until @deadline (0: none); true if the deadline came. The signals of
 * @set are unblocked meanwhile, so that their arrival wakes the thread
 * (they are taken before any handler could run). */
static bool sigwait_block(struct thread *t, uint64_t set, uint64_t deadline)
{
	uint64_t real = t->sig_blocked;
	bool timed_out = false;

	t->sig_real_blocked = real; /* for send_locked, under the lock below */
	mask_set_locked(t, real & ~set);
	while (!signal_interrupts(t) && !timed_out)
		timed_out = sched_block(deadline);
	mask_set_locked(t, real);
	t->sig_real_blocked = 0;
	return timed_out;
}

/* sigtimedwait(2), sigwaitinfo(3) and sigwait(3). */
int64_t sys_rt_sigtimedwait(const struct syscall_args *sa)
{
	struct thread *t = cur();
	uint64_t set, timeout = 0, deadline = 0, now;
	int64_t sig;
	bool timed_out;
	int err;

	if (sa->a[3] != 8)
		return -EINVAL;
	if (uvm_copy_in(&t->proc->uvm, &set, sa->a[0], 8))
		return -EFAULT;
	set &= ~UNBLOCKABLE;
	if (sa->a[2]) {
		err = time_timespec_in(sa->a[2], &timeout);
		if (err)
			return err;
		now = time_monotonic_ns();
		deadline = timeout > UINT64_MAX - now ? UINT64_MAX : now + timeout;
	}
	sig = sigwait_take(t, set, sa->a[1]);
	if (sig || (sa->a[2] && !timeout))
		return sig ? sig : -EAGAIN;
	timed_out = sigwait_block(t, set, deadline);
	sig = sigwait_take(t, set, sa->a[1]);
	if (sig)
		return sig;
	/* Another signal woke us; its handler runs next, and the call is
	 * not restarted after it (Linux returns plain EINTR here too). */
	return timed_out ? -EAGAIN : -EINTR;
}

int64_t sys_rt_sigpending(const struct syscall_args *sa)
{
	struct thread *t = cur();
	uint64_t set = t->sig_pending & t->sig_blocked;

	if (sa->a[1] != 8)
		return -EINVAL;
	return uvm_copy_out(&t->proc->uvm, sa->a[0], &set, 8) ? -EFAULT : 0;
}

int64_t sys_sigaltstack(const struct syscall_args *sa)
{
	struct thread *t = cur();
	uint64_t ss[3], old[3] = { t->altstack_sp, 0, t->altstack_size };

	old[1] = (uint64_t)(t->altstack_size ? 0 : SS_DISABLE) |
		 (on_altstack(t, arch_frame_user_sp(t->uframe)) ? SS_ONSTACK : 0);
	if (sa->a[0]) {
		if (uvm_copy_in(&t->proc->uvm, ss, sa->a[0], sizeof(ss)))
			return -EFAULT;
		if (on_altstack(t, arch_frame_user_sp(t->uframe)))
			return -EPERM;
		if ((int)ss[1] & ~SS_DISABLE)
			return -EINVAL;
		if (!((int)ss[1] & SS_DISABLE) && ss[2] < MINSIGSTKSZ)
			return -ENOMEM;
		t->altstack_flags = (int)ss[1];
		t->altstack_sp = (int)ss[1] & SS_DISABLE ? 0 : ss[0];
		t->altstack_size = (int)ss[1] & SS_DISABLE ? 0 : ss[2];
	}
	if (sa->a[1] && uvm_copy_out(&t->proc->uvm, sa->a[1], old, sizeof(old)))
		return -EFAULT;
	return 0;
}

int64_t sys_rt_sigreturn(const struct syscall_args *sa)
{
	struct thread *t = cur();
	uint64_t mask;

	if (arch_signal_frame_restore(t, t->uframe, &mask)) {
		log_info("pid %d tid %d: rt_sigreturn with a bad frame: SIGSEGV", t->proc->pid,
			 t->tid);
		proc_exit(t->proc, SIGSEGV);
	}
	t->sig_blocked = mask & ~UNBLOCKABLE;
	return arch_frame_return_value(t->uframe); /* keep the restored return register */
}

/* kill(2) and friends, within the caller's process: no other process is
 * visible without a proxy. To thread @t, or to the process if it is NULL. */
static int64_t send_to(struct thread *t, int sig, int code)
{
	struct proc *p = cur()->proc;
	struct ksiginfo info = { .signo = sig, .code = code, .pid = p->pid };

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (!sig)
		return 0; /* an existence check */
	return send_signal(p, t, &info);
}

/* sigqueue(3): a signal with a value, from this process to itself; to
 * thread @t, or to the process if it is NULL. */
static int64_t queue_to(struct thread *t, int sig, uint64_t uinfo)
{
	int32_t si[8]; /* signo, errno, code, pad, pid, uid, value (8 bytes) */
	struct ksiginfo info;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (!sig)
		return 0; /* an existence check */
	if (uvm_copy_in(&cur()->proc->uvm, si, uinfo, sizeof(si)))
		return -EFAULT;
	/* Linux refuses forged kernel codes only towards other processes. */
	info = (struct ksiginfo){ .signo = sig, .code = si[2], .pid = si[4], .uid = si[5] };
	memcpy(&info.value, &si[6], sizeof(info.value));
	return send_signal(cur()->proc, t, &info);
}

int64_t sys_rt_sigqueueinfo(const struct syscall_args *sa)
{
	struct proc *p = cur()->proc;

	if ((int)sa->a[0] != p->pid)
		return -ESRCH;
	return queue_to(NULL, (int)sa->a[1], sa->a[2]);
}

int64_t sys_rt_tgsigqueueinfo(const struct syscall_args *sa)
{
	struct proc *p = cur()->proc;
	struct thread *t = (int)sa->a[0] == p->pid ? proc_find_thread(p, (int)sa->a[1]) : NULL;

	return t ? queue_to(t, (int)sa->a[2], sa->a[3]) : -ESRCH;
}

int64_t sys_kill(const struct syscall_args *sa)
{
	struct proc *p = cur()->proc;
	int pid = (int)sa->a[0], sig = (int)sa->a[1];

	if (pid != p->pid && pid != 0 && pid != -1)
		return -ESRCH;
	return send_to(NULL, sig, SI_USER);
}

int64_t sys_tgkill(const struct syscall_args *sa)
{
	struct proc *p = cur()->proc;
	struct thread *t;

	if ((int)sa->a[0] <= 0 || (int)sa->a[1] <= 0)
		return -EINVAL;
	t = (int)sa->a[0] == p->pid ? proc_find_thread(p, (int)sa->a[1]) : NULL;
	return t ? send_to(t, (int)sa->a[2], SI_TKILL) : -ESRCH;
}

int64_t sys_tkill(const struct syscall_args *sa)
{
	struct thread *t;

	if ((int)sa->a[0] <= 0)
		return -EINVAL;
	t = proc_find_thread(cur()->proc, (int)sa->a[0]);
	return t ? send_to(t, (int)sa->a[1], SI_TKILL) : -ESRCH;
}

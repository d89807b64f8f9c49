// SPDX-License-Identifier: GPL-2.0-only
/*
 * Forwarded system calls (uapi/lwk/channel.h, step 5). A thread whose
 * process has a proxy writes the request half of its channel slot (the
 * slot index is its kernel thread index), publishes the request's seq and
 * sets the slot's bit in its process entry's posted[]; the proxy runs the
 * call on Linux and publishes the completion with the same seq.
 *
 * Waiting costs the core little: the thread spins for a moment (most
 * calls are answered in microseconds), then lets a core-mate run if one
 * is ready, then blocks until its core sees the completion. In a VM the
 * core looks on a timed back-off so that it halts in between (cpus.c
 * arms the one-shot timer for the earliest sleeper); beside Linux the
 * proxy rings a halted core when it answers (LWK_IOC_RING), and the
 * timer is only a safety net.
 *
 * A signal for the waiting thread asks the proxy to interrupt the call
 * (req.intr_seq); when the call then fails with EINTR, signal delivery
 * applies Linux's restart rules (-ERESTARTSYS, lwk/signal.h). A thread
 * being killed stops waiting at once and abandons the slot: the next
 * request on the slot has a new seq, so a late answer is never taken for
 * its answer.
 *
 * With no proxy attached (bare mode: lwkctl bare) nothing can be
 * forwarded: write and writev to fds 1 and 2 go to the console ports,
 * everything else answers -ENOSYS and is logged once per number, so that a
 * missing call is visible rather than silent.
 */
#include <lwk/arch.h>
#include <lwk/channel.h>
#include <lwk/cpu.h>
#include <lwk/errno.h>
#include <lwk/log.h>
#include <lwk/proc.h>
#include <lwk/sched.h>
#include <lwk/signal.h>
#include <lwk/syscall.h>
#include <uapi/lwk/channel_msg.h>

#define SIGSET_SIZE 8
#define MAX_NR 512

#define SPIN_US 20
#define BACKOFF_MIN_NS 50000ull	      /* 50 us */
#define BACKOFF_MAX_NS 1000000ull     /* 1 ms */
#define BACKOFF_RUNG_NS 1000000000ull /* 1 s: when the host rings (a safety net) */
#define ERRNO_MAX 4095		      /* results in [-4095, -1] are errors */

static uint8_t logged[MAX_NR / 8];

/* The last seq used on each slot. Kept here, not in the thread (a slot
 * outlives its threads) nor only in the channel (which the host writes
 * too): a seq is never used twice on a slot. */
static uint32_t slot_seq[LWK_CHAN_MAX_SLOTS];

/* Log a line about syscall @nr once per run. */
static bool first_time(uint64_t nr)
{
	if (nr >= MAX_NR || (logged[nr / 8] & (1u << (nr % 8))))
		return false;
	logged[nr / 8] |= 1u << (nr % 8);
	return true;
}

/* ---- bare mode ----------------------------------------------------------- */

static int64_t bare_write(struct uvm *uvm, int fd, uint64_t buf, uint64_t len)
{
	char chunk[256];
	uint64_t done = 0;

	while (done < len) {
		uint64_t n = MIN(len - done, sizeof(chunk));

		if (uvm_copy_in(uvm, chunk, buf + done, n))
			return done ? (int64_t)done : -EFAULT;
		arch_user_output(fd, chunk, n);
		done += n;
	}
	return done;
}

static int64_t bare_writev(struct uvm *uvm, int fd, uint64_t iov, uint64_t cnt)
{
	int64_t total = 0;

	if (cnt > 1024)
		return -EINVAL;
	for (uint64_t i = 0; i < cnt; i++) {
		uint64_t v[2];
		int64_t n;

		if (uvm_copy_in(uvm, v, iov + 16 * i, sizeof(v)))
			return total ? total : -EFAULT;
		n = bare_write(uvm, fd, v[0], v[1]);
		if (n < 0)
			return total ? total : n;
		total += n;
	}
	return total;
}

static int64_t bare_forward(const struct syscall_args *sa)
{
	struct uvm *uvm = &thread_current()->proc->uvm;
	int fd = (int)sa->a[0];

	if ((sa->nr == NR_write || sa->nr == NR_writev) && (fd == 1 || fd == 2))
		return sa->nr == NR_write ? bare_write(uvm, fd, sa->a[1], sa->a[2])
					  : bare_writev(uvm, fd, sa->a[1], sa->a[2]);
	if (first_time(sa->nr))
		log_info("syscall %s (%llu) needs the proxy, and none is attached: -ENOSYS",
			 syscall_name(sa->nr), (unsigned long long)sa->nr);
	return -ENOSYS;
}

/* ---- the channel protocol -------------------------------------------------- */

struct fwd_wait {
	struct thread *t;
	struct lwk_chan_proc *cp; /* its process's entry, as the call began */
	struct lwk_chan_slot *s;
	unsigned int idx;
	uint32_t seq;
	bool interruptible; /* a signal interrupts the call */
	bool interrupted;   /* we asked the proxy to interrupt it */
};

/* Fill the request half and publish it: a fresh seq for the slot, never
 * the one its completion carries now (a late answer to an abandoned
 * call, or whatever an earlier boot left in the area). The proxy's half:
 * forward_request_read (proxy/lwkexec/service_dispatch.c). */
static void forward_request_post(struct fwd_wait *w, uint64_t nr, const uint64_t args[6])
{
	struct lwk_chan_req *r = &w->s->req;
	struct thread *t = w->t;
	uint32_t seq = lwk_msg_seq_next(slot_seq[w->idx], lwk_msg_seq(&w->s->cmpl.hdr));

	slot_seq[w->idx] = seq;
	lwk_msg_begin(&r->hdr, LWK_MSG_SYSCALL, sizeof(*r));
	r->pid = (uint32_t)t->proc->pid;
	r->tid = (uint32_t)t->tid;
	r->nr = (uint32_t)nr;
	r->intr_seq = 0;
	for (int i = 0; i < 6; i++)
		r->args[i] = args[i];
	/* What the proxy says of the process (/proc/meminfo, sysinfo, its
	 * threads) is as of this call: the service core, which refreshes
	 * them too, may halt for long beside Linux. */
	WRITE_ONCE(w->cp->arena_free, uvm_arena_free_bytes(&t->proc->uvm));
	WRITE_ONCE(w->cp->nthreads, READ_ONCE(t->proc->nthreads));
	lwk_msg_publish(&r->hdr, seq);
	lwk_chan_post(w->cp, w->idx);
	channel_notify_host(w->cp);
	w->seq = seq;
}

static bool completed(const struct lwk_chan_slot *s, uint32_t seq)
{
	return lwk_msg_seq(&s->cmpl.hdr) == seq;
}

/* The result of the completion of w->seq, if it is well formed; the proxy
 * is never trusted: anything else is -EIO and a log line. The proxy's
 * half: forward_completion_post. */
static int64_t forward_completion_read(const struct fwd_wait *w, uint64_t nr)
{
	const struct thread *t = w->t;
	struct lwk_chan_cmpl c = { 0 };
	int64_t ret;

	if (lwk_msg_read_answer(&c, &w->s->cmpl, LWK_MSG_RESULT, sizeof(c), w->seq)) {
		log_err("pid %d tid %d: the proxy answered %s with a malformed completion (magic "
			"0x%x, abi %u, type %u): -EIO",
			t->proc->pid, t->tid, syscall_name(nr), c.hdr.magic, c.hdr.abi_version,
			c.hdr.type);
		return -EIO;
	}
	ret = c.ret;
	/* Linux's internal codes (ERESTARTSYS and friends, 512 and up) never
	 * reach a program; ours must not arrive from outside either. */
	if (ret < -511 && ret >= -ERRNO_MAX) {
		log_err("pid %d tid %d: the proxy answered %s with error %lld, which no Linux "
			"call returns: -EIO",
			t->proc->pid, t->tid, syscall_name(nr), (long long)-ret);
		return -EIO;
	}
	return ret;
}

/* The thread is being killed: no answer matters any more. */
static bool being_killed(const struct thread *t)
{
	return (__atomic_load_n(&t->sig_pending, __ATOMIC_ACQUIRE) & SIG_BIT(SIGKILL)) ||
	       READ_ONCE(t->proc->exiting);
}

/* System calls run with interrupts off: a TLB shootdown from a core-mate
 * of the process (mprotect) is answered here while we spin, as
 * proc_tlb_shootdown does. */
static void spin_once(void)
{
	struct cpu *c = this_cpu();

	if (__atomic_load_n(&c->tlb_flush, __ATOMIC_SEQ_CST)) {
		arch_tlb_flush_all();
		__atomic_store_n(&c->tlb_flush, 0, __ATOMIC_SEQ_CST);
	}
	arch_pause();
}

/* A signal arrived: ask the proxy to interrupt the call (it answers
 * -EINTR soon, or the call's result if it was done already). */
static void interrupt_request(struct fwd_wait *w)
{
	__atomic_store_n(&w->s->req.intr_seq, w->seq, __ATOMIC_RELEASE);
	lwk_chan_post(w->cp, w->idx);
	channel_notify_host(w->cp);
	w->interrupted = true;
}

/* The safety timer, not the host's ring, found the completion: a ring
 * went missing (or came just then). Said once: a slow answer is not an
 * error, but a doorbell that misses is a bug to see. */
static void ring_missed(const struct fwd_wait *w)
{
	static bool said;

	if (said)
		return;
	said = true;
	log_warn("pid %d tid %d: a forwarded call's completion was found by the %llu ms safety "
		 "timer, not by the host's ring: a ring went missing, or a core-mate held the "
		 "core (said once)",
		 w->t->proc->pid, w->t->tid, (unsigned long long)(BACKOFF_RUNG_NS / 1000000));
}

/* Wait for the completion of w->seq; false if the thread is being killed
 * (the slot is abandoned then). Blocked, the thread runs again when its
 * core sees the completion (sched_block_until): before the core halts,
 * whenever it schedules, and when the host rings it (partition mode:
 * then it blocks on a long safety timer at once, and a waiting core
 * takes no interrupt until its answer comes). */
static bool completion_wait(struct fwd_wait *w)
{
	uint64_t spin_end = arch_cycles() + arch_tsc_hz() / 1000000 * SPIN_US;
	uint64_t backoff = channel_host_rings() ? BACKOFF_RUNG_NS : BACKOFF_MIN_NS;
	bool yielded = false;

	while (!completed(w->s, w->seq)) {
		if (being_killed(w->t))
			return false;
		if (w->interruptible && !w->interrupted && signal_interrupts(w->t))
			interrupt_request(w);
		if (arch_cycles() < spin_end) {
			spin_once();
			continue;
		}
		/* One turn to a ready core-mate between two blocks, not more:
		 * two waiters yielding to each other would keep the core busy. */
		if (!yielded && sched_yield_cpu()) {
			yielded = true;
			continue;
		}
		if (sched_block_until(&w->s->cmpl.hdr.seq, w->seq, time_monotonic_ns() + backoff) &&
		    channel_host_rings() && completed(w->s, w->seq))
			ring_missed(w);
		backoff = MAX(backoff, MIN(backoff * 2, BACKOFF_MAX_NS));
		yielded = false;
	}
	return true;
}

/* Send one call through the current thread's slot and wait for its result. */
static int64_t forward_through_slot(uint64_t nr, const uint64_t args[6], bool interruptible,
				    bool *interrupted)
{
	struct thread *t = thread_current();
	unsigned int idx = thread_index(t);
	struct fwd_wait w = {
		.t = t, .cp = t->proc->chan, .idx = idx, .interruptible = interruptible
	};
	int entry = channel_proc_index(w.cp);

	w.s = entry >= 0 ? channel_slot((unsigned int)entry, idx) : NULL;
	if (!w.s) {
		log_err("pid %d tid %d: thread slot %u has no channel slot: %s answers -ENOSYS",
			t->proc->pid, t->tid, idx, syscall_name(nr));
		return -ENOSYS;
	}
	forward_request_post(&w, nr, args);
	if (!completion_wait(&w)) {
		log_debug("pid %d tid %d: killed during %s: slot %u (seq %u) abandoned",
			  t->proc->pid, t->tid, syscall_name(nr), idx, w.seq);
		return -EINTR;
	}
	*interrupted = w.interrupted;
	return forward_completion_read(&w, nr);
}

int64_t forward_call(uint64_t nr, const uint64_t args[6])
{
	bool interrupted = false;

	if (!thread_current()->proc->chan)
		return -ENOSYS;
	return forward_through_slot(nr, args, false, &interrupted);
}

/* ppoll, pselect6 and epoll_pwait(2) wait under the signal mask they
 * carry (LWK_SC_MASK_* in syscalls.def says where). Signals live here,
 * not in the proxy: the mask is applied here for the time of the call (a
 * signal it unblocks interrupts the call like any other), and the call
 * goes out with no mask, NULL and size 0, in @args. Returns 0 with *has set if there was one, or Linux's error for a
 * bad one. */
static int take_call_mask(const struct syscall_args *sa, uint64_t args[6], uint64_t *mask,
			  bool *has)
{
	struct uvm *uvm = &thread_current()->proc->uvm;
	uint32_t flags = syscall_flags(sa->nr);
	unsigned int at = flags & LWK_SC_MASK_ARG3 ? 3 : 4; /* the pointer; the size follows */
	uint64_t ptr_size[2];

	*has = false;
	for (int i = 0; i < 6; i++)
		args[i] = sa->a[i];
	if (flags & LWK_SC_MASK_IN_ARG5) {
		/* the sixth argument points to { const sigset_t *ss; size_t ss_len; } */
		args[5] = 0;
		if (!sa->a[5])
			return 0;
		if (uvm_copy_in(uvm, ptr_size, sa->a[5], sizeof(ptr_size)))
			return -EFAULT;
	} else if (flags & (LWK_SC_MASK_ARG3 | LWK_SC_MASK_ARG4)) {
		ptr_size[0] = sa->a[at];
		ptr_size[1] = sa->a[at + 1];
		args[at] = args[at + 1] = 0;
	} else {
		return 0;
	}
	if (!ptr_size[0])
		return 0;
	if (ptr_size[1] != SIGSET_SIZE)
		return -EINVAL;
	if (uvm_copy_in(uvm, mask, ptr_size[0], SIGSET_SIZE))
		return -EFAULT;
	*has = true;
	return 0;
}

int64_t sys_forward(const struct syscall_args *sa)
{
	struct thread *t = thread_current();
	bool interrupted = false, has_mask;
	uint64_t args[6], mask;
	int64_t ret;

	if (!t->proc->chan)
		return bare_forward(sa);
	ret = take_call_mask(sa, args, &mask, &has_mask);
	if (ret)
		return ret;
	if (has_mask)
		signal_mask_begin(t, mask);
	ret = forward_through_slot(sa->nr, args, true, &interrupted);
	/* The proxy gave up on the call because we asked: signal delivery
	 * decides between EINTR and running it again (LWK_SC_RESTART_NOHAND:
	 * never again after a handler, whatever SA_RESTART says). */
	if (interrupted && ret == -EINTR)
		ret =
		    syscall_flags(sa->nr) & LWK_SC_RESTART_NOHAND ? -ERESTARTNOHAND : -ERESTARTSYS;
	if (has_mask)
		signal_mask_end(t, ret);
	return ret;
}

/* ---- calls that are never forwarded ------------------------------------------ */

/* The proxy must never fork itself for the LWK: a new process, or a new
 * image, is made by the LWK and its proxy together, later. */
int64_t syscall_refuse_process_creation(uint64_t nr)
{
	if (first_time(nr))
		log_warn("pid %d: %s: process creation inside the LWK comes later: -ENOSYS",
			 thread_current()->proc->pid, syscall_name(nr));
	return -ENOSYS;
}

int64_t sys_fork(const struct syscall_args *sa)
{
	return syscall_refuse_process_creation(sa->nr);
}

int64_t sys_vfork(const struct syscall_args *sa)
{
	return syscall_refuse_process_creation(sa->nr);
}

int64_t sys_execve(const struct syscall_args *sa)
{
	return syscall_refuse_process_creation(sa->nr);
}

int64_t sys_execveat(const struct syscall_args *sa)
{
	return syscall_refuse_process_creation(sa->nr);
}

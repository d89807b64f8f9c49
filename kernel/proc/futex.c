// SPDX-License-Identifier: GPL-2.0-only
/*
 * Futexes. A waiter is keyed by the physical address of its word, which is
 * what private and shared futexes alike come down to in a process whose
 * memory never moves. One lock covers every wait queue: LWK processes have
 * few threads per core, and the lock is held only for list surgery.
 */
#include <lwk/errno.h>
#include <lwk/futex.h>
#include <lwk/sched.h>
#include <lwk/spinlock.h>
#include <lwk/syscall.h>
#include <lwk/arch.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
#define FUTEX_BITSET_ANY 0xffffffffu
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu
#define ROBUST_LIST_LIMIT 2048 /* Linux's bound: a cyclic list cannot hang us */
#define NSEC 1000000000ull

static struct spinlock futex_lock = SPINLOCK_INIT;
static struct thread *waiters; /* every waiting thread, newest first */

/* The word's kernel pointer and key; NULL if it is not the process's. */
static uint32_t *futex_word(struct proc *p, uint64_t uaddr, uint64_t *key, unsigned int prot)
{
	uint32_t *w;

	if (uaddr & 3)
		return NULL;
	w = uvm_kaddr(&p->uvm, uaddr, 4, prot);
	if (w)
		*key = pa_addr(arch_virt_to_phys(w));
	return w;
}

static void waiters_remove(struct thread *t)
{
	for (struct thread **pp = &waiters; *pp; pp = &(*pp)->futex_next) {
		if (*pp == t) {
			*pp = t->futex_next;
			t->futex_key = 0;
			return;
		}
	}
}

/* Wake (or, with @to_key, move) up to @n waiters on @key. */
static int waiters_take(uint64_t key, int n, uint32_t bitset, uint64_t to_key)
{
	struct thread **pp = &waiters;
	int done = 0;

	while (*pp && done < n) {
		struct thread *t = *pp;

		if (t->futex_key != key || !(t->futex_bitset & bitset)) {
			pp = &t->futex_next;
			continue;
		}
		done++;
		if (to_key) {
			t->futex_key = to_key;
			pp = &t->futex_next;
			continue;
		}
		*pp = t->futex_next;
		t->futex_key = 0;
		sched_wake(t);
	}
	return done;
}

static int futex_wait(struct proc *p, uint64_t uaddr, uint32_t val, uint32_t bitset,
		      uint64_t deadline)
{
	struct thread *t = thread_current();
	uint64_t key, flags;
	uint32_t *w = futex_word(p, uaddr, &key, ARCH_PROT_READ);
	bool timed_out, woken;

	if (!w)
		return (uaddr & 3) ? -EINVAL : -EFAULT;
	if (!bitset)
		return -EINVAL;
	flags = arch_irq_save();
	spin_lock(&futex_lock);
	if (__atomic_load_n(w, __ATOMIC_SEQ_CST) != val) {
		spin_unlock(&futex_lock);
		arch_irq_restore(flags);
		return -EAGAIN;
	}
	t->futex_key = key;
	t->futex_bitset = bitset;
	t->futex_next = waiters;
	waiters = t;
	spin_unlock(&futex_lock);
	timed_out = sched_block(deadline);
	spin_lock(&futex_lock);
	woken = !t->futex_key;
	if (!woken) /* a deadline or a signal ended the wait */
		waiters_remove(t);
	spin_unlock(&futex_lock);
	arch_irq_restore(flags);
	if (woken)
		return 0;
	if (signal_interrupts(t))
		return -EINTR;
	return timed_out ? -ETIMEDOUT : 0;
}

int futex_wake(struct proc *p, uint64_t uaddr, int n, uint32_t bitset)
{
	uint64_t key, flags;
	int woken;

	if (!futex_word(p, uaddr, &key, 0))
		return (uaddr & 3) ? -EINVAL : -EFAULT;
	if (!bitset)
		return -EINVAL;
	flags = arch_irq_save();
	spin_lock(&futex_lock);
	woken = waiters_take(key, n, bitset, 0);
	spin_unlock(&futex_lock);
	arch_irq_restore(flags);
	return woken;
}

static int futex_requeue(struct proc *p, uint64_t uaddr, int nwake, int nmove, uint64_t uaddr2,
			 bool cmp, uint32_t val)
{
	uint64_t key = 0, key2 = 0, flags;
	uint32_t *w = futex_word(p, uaddr, &key, ARCH_PROT_READ);
	int done = -EAGAIN;

	if (!w || !futex_word(p, uaddr2, &key2, 0))
		return ((uaddr | uaddr2) & 3) ? -EINVAL : -EFAULT;
	if (nwake < 0 || nmove < 0)
		return -EINVAL;
	flags = arch_irq_save();
	spin_lock(&futex_lock);
	if (!cmp || __atomic_load_n(w, __ATOMIC_SEQ_CST) == val) {
		done = waiters_take(key, nwake, FUTEX_BITSET_ANY, 0);
		done += waiters_take(key, nmove, FUTEX_BITSET_ANY, key2);
	}
	spin_unlock(&futex_lock);
	arch_irq_restore(flags);
	return done;
}

/* FUTEX_WAKE_OP's operation on *uaddr2 (see futex(2)); the old value. */
static bool wake_op_apply(uint32_t *w, uint32_t encoded, int *err)
{
	uint32_t op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	uint32_t arg = (encoded >> 12) & 0xfff, cmparg = encoded & 0xfff, old;

	if ((encoded >> 28) & 8) /* FUTEX_OP_OPARG_SHIFT */
		arg = arg > 31 ? 0 : 1u << arg;
	switch (op) {
	case 0:
		old = __atomic_exchange_n(w, arg, __ATOMIC_SEQ_CST);
		break;
	case 1:
		old = __atomic_fetch_add(w, arg, __ATOMIC_SEQ_CST);
		break;
	case 2:
		old = __atomic_fetch_or(w, arg, __ATOMIC_SEQ_CST);
		break;
	case 3:
		old = __atomic_fetch_and(w, ~arg, __ATOMIC_SEQ_CST);
		break;
	case 4:
		old = __atomic_fetch_xor(w, arg, __ATOMIC_SEQ_CST);
		break;
	default:
		*err = -ENOSYS;
		return false;
	}
	switch (cmp) {
	case 0:
		return old == cmparg;
	case 1:
		return old != cmparg;
	case 2:
		return (int32_t)old < (int32_t)cmparg;
	case 3:
		return (int32_t)old <= (int32_t)cmparg;
	case 4:
		return (int32_t)old > (int32_t)cmparg;
	case 5:
		return (int32_t)old >= (int32_t)cmparg;
	default:
		*err = -ENOSYS;
		return false;
	}
}

static int futex_wake_op(struct proc *p, uint64_t uaddr, int n1, int n2, uint64_t uaddr2,
			 uint32_t op)
{
	uint64_t key = 0, key2 = 0, flags;
	uint32_t *w2 = futex_word(p, uaddr2, &key2, ARCH_PROT_READ | ARCH_PROT_WRITE);
	int err = 0, done;
	bool hit;

	if (!futex_word(p, uaddr, &key, 0) || !w2)
		return ((uaddr | uaddr2) & 3) ? -EINVAL : -EFAULT;
	flags = arch_irq_save();
	spin_lock(&futex_lock);
	hit = wake_op_apply(w2, op, &err);
	done = err ? 0 : waiters_take(key, n1, FUTEX_BITSET_ANY, 0);
	if (!err && hit)
		done += waiters_take(key2, n2, FUTEX_BITSET_ANY, 0);
	spin_unlock(&futex_lock);
	arch_irq_restore(flags);
	return err ? err : done;
}

/* The deadline (CLOCK_MONOTONIC ns) of a wait, 0 for none. Relative for
 * FUTEX_WAIT, absolute for FUTEX_WAIT_BITSET. */
static int wait_deadline(struct proc *p, uint64_t uts, bool absolute, bool realtime,
			 uint64_t *deadline)
{
	int64_t ts[2];
	uint64_t ns, now = time_monotonic_ns();

	*deadline = 0;
	if (!uts)
		return 0;
	if (uvm_copy_in(&p->uvm, ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= (int64_t)NSEC)
		return -EINVAL;
	if ((uint64_t)ts[0] > UINT64_MAX / NSEC / 2) /* centuries: no deadline */
		return 0;
	ns = (uint64_t)ts[0] * NSEC + ts[1];
	if (absolute && realtime)
		ns -= MIN(ns, time_realtime_offset_ns());
	*deadline = absolute ? MAX(ns, 1) : now + ns;
	return 0;
}

int64_t sys_futex(const struct syscall_args *sa)
{
	struct proc *p = thread_current()->proc;
	uint64_t uaddr = sa->a[0], deadline;
	int cmd = (int)sa->a[1] & FUTEX_CMD_MASK, err;
	bool realtime = sa->a[1] & FUTEX_CLOCK_REALTIME;

	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		err = wait_deadline(p, sa->a[3], cmd == FUTEX_WAIT_BITSET, realtime, &deadline);
		if (err)
			return err;
		return futex_wait(p, uaddr, sa->a[2],
				  cmd == FUTEX_WAIT ? FUTEX_BITSET_ANY : (uint32_t)sa->a[5],
				  deadline);
	case FUTEX_WAKE:
		return futex_wake(p, uaddr, (int)sa->a[2], FUTEX_BITSET_ANY);
	case FUTEX_WAKE_BITSET:
		return futex_wake(p, uaddr, (int)sa->a[2], (uint32_t)sa->a[5]);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(p, uaddr, (int)sa->a[2], (int)sa->a[3], sa->a[4],
				     cmd == FUTEX_CMP_REQUEUE, (uint32_t)sa->a[5]);
	case FUTEX_WAKE_OP:
		return futex_wake_op(p, uaddr, (int)sa->a[2], (int)sa->a[3], sa->a[4],
				     (uint32_t)sa->a[5]);
	default:
		return -ENOSYS; /* priority inheritance and futex2 ops */
	}
}

/* Thread @t died holding the robust lock whose word is at @uaddr: mark
 * the owner dead and wake one waiter, who then gets EOWNERDEAD. For the
 * lock @t was about to take or release (@pending), a word nobody owns
 * still gets a wake, since a waiter may have missed the unlock. */
static void robust_owner_died(struct thread *t, uint64_t uaddr, bool pending)
{
	uint64_t key;
	uint32_t *w = futex_word(t->proc, uaddr, &key, ARCH_PROT_READ | ARCH_PROT_WRITE);
	uint32_t old, new;

	if (!w)
		return;
	old = __atomic_load_n(w, __ATOMIC_ACQUIRE);
	do {
		if (pending && !(old & FUTEX_TID_MASK)) {
			futex_wake(t->proc, uaddr, 1, FUTEX_BITSET_ANY);
			return;
		}
		if ((old & FUTEX_TID_MASK) != (uint32_t)t->tid)
			return;
		new = (old & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	} while (
	    !__atomic_compare_exchange_n(w, &old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE));
	if (new &FUTEX_WAITERS)
		futex_wake(t->proc, uaddr, 1, FUTEX_BITSET_ANY);
}

void futex_exit_robust_list(struct thread *t)
{
	/* struct robust_list_head: list.next, futex_offset, list_op_pending;
	 * bit 0 of each entry pointer flags a PI lock. */
	uint64_t head[3], entry, pending;
	struct uvm *u = &t->proc->uvm;

	if (!t->robust_list || uvm_copy_in(u, head, t->robust_list, sizeof(head)))
		return;
	entry = head[0] & ~1ull;
	pending = head[2] & ~1ull;
	for (unsigned int n = 0; entry != t->robust_list && n < ROBUST_LIST_LIMIT; n++) {
		uint64_t next;

		bool more = !uvm_copy_in(u, &next, entry, sizeof(next));

		if (entry != pending)
			robust_owner_died(t, entry + head[1], false);
		if (!more)
			return; /* a broken list: Linux gives up, pending too */
		entry = next & ~1ull;
	}
	if (pending)
		robust_owner_died(t, pending + head[1], true);
	t->robust_list = 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of futexes (kernel/proc/futex.c) through sys_futex, in a
 * fake process whose words live in real user memory. One thread runs at a
 * time: a wait "blocks" by calling the test's hook (fake_kernel.h), which
 * acts as the other threads would meanwhile and returns.
 */
#include <lwk/arch.h>
#include <lwk/errno.h>
#include <lwk/futex.h>
#include <lwk/syscall.h>
#include <uapi/lwk/layout.h>
#include "fake_kernel.h"
#include "htest.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define ANY 0xffffffffu
/* FUTEX_OP(op, oparg, cmp, cmparg), as linux/futex.h encodes it */
#define WAKE_OP(op, oparg, cmp, cmparg) \
	(((uint32_t)(op) << 28) | ((cmp) << 24) | ((oparg) << 12) | (cmparg))

static struct proc *proc;
static uint64_t word, word2; /* two futex words in the process's memory */

/* A process of @nthreads threads with two futex words, both 0. */
static void futex_setup(unsigned int nthreads)
{
	proc = fake_proc_create(nthreads, MiB(4));
	EXPECT_EQ(uvm_mmap(&proc->uvm, 0, 4096, false, false, &word), 0);
	word2 = word + 64;
}

static uint32_t *word_ptr(uint64_t va)
{
	return uvm_kaddr(&proc->uvm, va, 4, ARCH_PROT_READ);
}

static int64_t futex(uint64_t uaddr, uint64_t op, uint64_t val, uint64_t a3, uint64_t uaddr2,
		     uint64_t val3)
{
	struct syscall_args sa = { NR_futex, { uaddr, op, val, a3, uaddr2, val3 } };

	return sys_futex(&sa);
}

HTEST(futex, wait_refusals)
{
	futex_setup(1);
	*word_ptr(word) = 5;
	EXPECT_EQ(futex(word, FUTEX_WAIT, 4, 0, 0, 0), -EAGAIN);
	EXPECT_EQ(futex(word + 2, FUTEX_WAIT, 5, 0, 0, 0), -EINVAL);
	EXPECT_EQ(futex(LWK_USER_START, FUTEX_WAIT, 5, 0, 0, 0), -EFAULT);
	EXPECT_EQ(futex(word, FUTEX_WAIT_BITSET, 5, 0, 0, 0), -EINVAL); /* empty bitset */
	EXPECT_EQ(futex(word, 6, 5, 0, 0, 0), -ENOSYS);			/* FUTEX_LOCK_PI */
	EXPECT_EQ(futex(word, FUTEX_WAKE, 1, 0, 0, 0), 0);		/* nobody waits */
	fake_proc_destroy(proc);
}

static bool wake_one(struct thread *t, uint64_t deadline)
{
	EXPECT_EQ(futex_wake(proc, word2, 1, ANY), 0); /* another word */
	EXPECT_EQ(futex_wake(proc, word, 1, ANY), 1);
	EXPECT_EQ(t->state, THREAD_RUNNABLE);
	return false;
}

HTEST(futex, wait_then_wake)
{
	futex_setup(1);
	fake_block_hook = wake_one;
	EXPECT_EQ(futex(word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, 0, 0, 0), 0);
	EXPECT_EQ(fake_wakes, 1);
	EXPECT_EQ(futex(word, FUTEX_WAKE, 1, 0, 0, 0), 0); /* it is off the queue */
	fake_proc_destroy(proc);
}

static bool nobody_wakes(struct thread *t, uint64_t deadline)
{
	EXPECT_EQ(deadline, 1000000000ull + 4000); /* now (2 us) + 1 s 2 us */
	return true;
}

static bool signal_comes(struct thread *t, uint64_t deadline)
{
	t->sig_pending |= SIG_BIT(SIGUSR1);
	return false;
}

HTEST(futex, wait_times_out_or_is_interrupted)
{
	int64_t ts[2] = { 1, 2000 };
	uint64_t uts = word + 128;

	futex_setup(1);
	EXPECT_EQ(uvm_copy_out(&proc->uvm, uts, ts, sizeof(ts)), 0);
	fake_now_ns = 2000;
	fake_block_hook = nobody_wakes;
	EXPECT_EQ(futex(word, FUTEX_WAIT, 0, uts, 0, 0), -ETIMEDOUT);
	fake_block_hook = signal_comes;
	EXPECT_EQ(futex(word, FUTEX_WAIT, 0, 0, 0, 0), -EINTR);
	EXPECT_EQ(futex(word, FUTEX_WAKE, 1, 0, 0, 0), 0); /* neither is left queued */
	ts[1] = 1000000000;				   /* not a valid timespec */
	EXPECT_EQ(uvm_copy_out(&proc->uvm, uts, ts, sizeof(ts)), 0);
	EXPECT_EQ(futex(word, FUTEX_WAIT, 0, uts, 0, 0), -EINVAL);
	EXPECT_EQ(futex(word, FUTEX_WAIT, 0, LWK_USER_START, 0, 0), -EFAULT);
	fake_proc_destroy(proc);
}

static bool wake_by_bitset(struct thread *t, uint64_t deadline)
{
	EXPECT_EQ(futex(word, FUTEX_WAKE_BITSET, 1, 0, 0, 0x2), 0);
	EXPECT_EQ(futex(word, FUTEX_WAKE_BITSET, 1, 0, 0, 0), -EINVAL);
	EXPECT_EQ(futex(word, FUTEX_WAKE_BITSET, 1, 0, 0, 0x5), 1);
	return false;
}

HTEST(futex, bitset_wakes_only_matching_waiters)
{
	futex_setup(1);
	fake_block_hook = wake_by_bitset;
	EXPECT_EQ(futex(word, FUTEX_WAIT_BITSET, 0, 0, 0, 0x1), 0);
	fake_proc_destroy(proc);
}

/* Thread 100 waits on word; then thread 101 waits on it too and, from
 * inside its wait, thread 100 (run by the test) requeues: one woken, one
 * moved to word2, then woken there. */
static bool requeue_play(struct thread *t, uint64_t deadline)
{
	struct thread *first = proc->threads[0], *second = proc->threads[1];

	if (t == first) {
		fake_current = second;
		EXPECT_EQ(futex(word, FUTEX_WAIT, 0, 0, 0, 0), 0);
		fake_current = first;
		return false;
	}
	EXPECT_EQ(futex(word, FUTEX_CMP_REQUEUE, 1, 1, word2, 9), -EAGAIN);
	EXPECT_EQ(futex(word, FUTEX_CMP_REQUEUE, 1, 1, word2, 0), 2);
	EXPECT_EQ(second->state, THREAD_RUNNABLE); /* the newest waiter is woken */
	EXPECT_EQ(first->state, THREAD_BLOCKED);
	EXPECT_EQ(futex(word, FUTEX_WAKE, 1, 0, 0, 0), 0);
	EXPECT_EQ(futex(word2, FUTEX_WAKE, 1, 0, 0, 0), 1);
	return false;
}

HTEST(futex, cmp_requeue_moves_waiters)
{
	futex_setup(2);
	fake_block_hook = requeue_play;
	EXPECT_EQ(futex(word, FUTEX_WAIT, 0, 0, 0, 0), 0);
	EXPECT_EQ(fake_wakes, 2);
	EXPECT_EQ(futex(word, FUTEX_CMP_REQUEUE, -1, 1, word2, 0), -EINVAL);
	EXPECT_EQ(futex(word, FUTEX_CMP_REQUEUE, 1, 1, word2 + 1, 0), -EINVAL);
	fake_proc_destroy(proc);
}

static bool wake_op_play(struct thread *t, uint64_t deadline)
{
	/* word2 += 1, then wake on word2 if it was not 0: the waiter is there */
	EXPECT_EQ(futex(word, FUTEX_WAKE_OP, 1, 1, word2, WAKE_OP(1, 1, 1, 0)), 1);
	EXPECT_EQ(*word_ptr(word2), 2);
	return false;
}

HTEST(futex, wake_op_changes_the_word_then_wakes)
{
	futex_setup(1);
	*word_ptr(word2) = 1;
	fake_block_hook = wake_op_play;
	EXPECT_EQ(futex(word2, FUTEX_WAIT, 1, 0, 0, 0), 0);
	/* or 0x8, then a compare that fails (old 2 > 5 is false) */
	EXPECT_EQ(futex(word, FUTEX_WAKE_OP, 1, 1, word2, WAKE_OP(2, 8, 4, 5)), 0);
	EXPECT_EQ(*word_ptr(word2), 10);
	/* with FUTEX_OP_OPARG_SHIFT: xor (1 << 3) */
	EXPECT_EQ(futex(word, FUTEX_WAKE_OP, 1, 1, word2, WAKE_OP(8 | 4, 3, 0, 0)), 0);
	EXPECT_EQ(*word_ptr(word2), 2);
	EXPECT_EQ(futex(word, FUTEX_WAKE_OP, 1, 1, word2, WAKE_OP(7, 0, 0, 0)), -ENOSYS);
	EXPECT_EQ(futex(word, FUTEX_WAKE_OP, 1, 1, word2, WAKE_OP(0, 0, 6, 0)), -ENOSYS);
	fake_proc_destroy(proc);
}

/* A robust list at @head: entries at @a and @b (lock words at +8). */
static void robust_list(struct thread *t, uint64_t head, uint64_t a, uint64_t b, uint64_t pending)
{
	uint64_t h[3] = { a, 8, pending };

	EXPECT_EQ(uvm_copy_out(&proc->uvm, head, h, sizeof(h)), 0);
	EXPECT_EQ(uvm_copy_out(&proc->uvm, a, &b, 8), 0);
	EXPECT_EQ(uvm_copy_out(&proc->uvm, b, &head, 8), 0);
	t->robust_list = head;
}

HTEST(futex, robust_list_marks_dead_owners)
{
	struct thread *t;
	uint64_t head, a, b, c;

	futex_setup(1);
	t = proc->threads[0];
	head = word + 256, a = head + 64, b = a + 64, c = b + 64;
	robust_list(t, head, a, b, c);
	*word_ptr(a + 8) = (uint32_t)t->tid | FUTEX_WAITERS;
	*word_ptr(b + 8) = 999; /* another thread's lock */
	*word_ptr(c + 8) = 0;	/* pending, unowned: a waiter may have missed it */
	futex_exit_robust_list(t);
	EXPECT_EQ(*word_ptr(a + 8), FUTEX_OWNER_DIED | FUTEX_WAITERS);
	EXPECT_EQ(*word_ptr(b + 8), 999);
	EXPECT_EQ(*word_ptr(c + 8), 0);
	EXPECT_EQ(t->robust_list, 0);
	fake_proc_destroy(proc);
}

HTEST(futex, robust_list_cycle_ends)
{
	struct thread *t;
	uint64_t head, a, b;

	futex_setup(1);
	t = proc->threads[0];
	head = word + 256, a = head + 64, b = a + 64;
	robust_list(t, head, a, b, 0);
	EXPECT_EQ(uvm_copy_out(&proc->uvm, b, &a, 8), 0); /* b -> a: never back to head */
	*word_ptr(a + 8) = (uint32_t)t->tid;
	futex_exit_robust_list(t);
	EXPECT_EQ(*word_ptr(a + 8), FUTEX_OWNER_DIED);
	fake_proc_destroy(proc);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-ins for the kernel services that the host-built futex and
 * signal code call (scheduler, process ends, clocks, log), and a fixture
 * that makes a process with real user memory (uvm on fake physical
 * memory). One core, one thread running at a time: "blocking" calls the
 * test's hook, which plays the other threads, and returns.
 */
#pragma once

#include <setjmp.h>
#include <lwk/proc.h>

/* The running thread (thread_current); NULL: none. */
extern struct thread *fake_current;
/* sched_block: called with the blocking thread and its deadline; returns
 * whether the deadline came. A block with no hook aborts the test binary:
 * nothing could ever wake the thread. */
extern bool (*fake_block_hook)(struct thread *t, uint64_t deadline_ns);
extern unsigned int fake_wakes; /* sched_wake calls */
extern uint64_t fake_now_ns;	/* time_monotonic_ns */
extern int fake_killed_status;	/* proc_kill_locked's status, -1: none */
extern char fake_log_last[256]; /* the last log line */

/* proc_exit and proc_user_fault do not return: they record the status
 * (or the signal) and jump here. A test runs the code that may end the
 * process as: if (!setjmp(fake_exit_jmp)) { ... } */
extern jmp_buf fake_exit_jmp;
extern int fake_exit_status; /* -1 until the process ended */

/* Every fake_* record above back to its start, and fresh fake physical
 * memory (256 MiB at 4 GiB) in pmem. */
void fake_kernel_reset(void);

/* A process of @nthreads threads (tids 100, 101...; the first is
 * fake_current, all THREAD_RUNNING on one fake core) with @mem bytes of
 * user memory, all of it arena, after fake_kernel_reset(). */
struct proc *fake_proc_create(unsigned int nthreads, uint64_t mem);
/* The same on the fake memory and pmem as they are, records untouched;
 * NULL if pmem has not @mem free. */
struct proc *fake_proc_new(unsigned int nthreads, uint64_t mem);
void fake_proc_destroy(struct proc *p);

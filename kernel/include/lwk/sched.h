/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cooperative scheduling, one run queue per core. A thread runs until it
 * blocks, yields or exits; there is no time slice and no migration. When
 * nothing is runnable the core goes back to its idle loop.
 */
#pragma once

#include <lwk/proc.h>

/* Queue @t on its core and wake that core if it sleeps. */
void sched_wake(struct thread *t);
/* Block the current thread until sched_wake() or, if @deadline_ns is not
 * 0, until CLOCK_MONOTONIC reaches it. Returns true if it timed out. */
bool sched_block(uint64_t deadline_ns);
/* sched_block(), and the block also ends once *@word == @want: this core
 * looks at the word whenever it schedules and before it halts, and an IPI
 * to a halted core (a host's LWK_IOC_RING) makes it look again. For a
 * word that another side of shared memory writes and does not know whom
 * to sched_wake (a forwarded call's completion). Returns true if it timed
 * out. */
bool sched_block_until(const volatile uint32_t *word, uint32_t want, uint64_t deadline_ns);
/* Is a thread of this core blocked in sched_block_until with its word
 * now as it wants? (The idle loop's last look before it halts.) */
bool sched_words_ready(struct cpu *c);
/* Let the next runnable thread of this core run; false if there was none
 * (the caller went on at once). */
bool sched_yield_cpu(void);
/* End the current thread for good. */
__noreturn void sched_exit_thread(void);
/* Idle loop: free the threads that exited on this core. */
void sched_reap(struct cpu *c);
/* Idle loop: run whatever is queued here; false if nothing was. */
bool sched_run_queued(struct cpu *c);
/* Wake threads whose timed block expired or whose word is as they want
 * (sched_block_until); the earliest deadline of those still waiting
 * (CLOCK_MONOTONIC ns), 0 if none. */
uint64_t sched_check_timeouts(struct cpu *c);
/* CLOCK_MONOTONIC in ns (sys_time.c). */
uint64_t time_monotonic_ns(void);
/* A cycle count (arch_cycles) at which CLOCK_MONOTONIC has reached
 * @deadline_ns, or at most an hour from now. */
uint64_t time_deadline_cycles(uint64_t deadline_ns);
/* CLOCK_REALTIME - CLOCK_MONOTONIC, from the boot description. */
uint64_t time_realtime_offset_ns(void);
/* Read a struct timespec from user memory as nanoseconds: -EFAULT, or
 * -EINVAL for a negative or unnormalized one. */
int time_timespec_in(uint64_t uva, uint64_t *ns);

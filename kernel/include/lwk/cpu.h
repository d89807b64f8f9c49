/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU data. %gs:0 holds the block's own address (self), so this_cpu()
 * is one load. %fs points at the same block because libfdt is built with
 * the stack protector and reads its canary at %fs:0x28.
 */
#pragma once

#include <lwk/types.h>
#include <lwk/spinlock.h>
#include <uapi/lwk/bootdesc.h>
#include <arch/cpu_arch.h>

struct lwk_cpu_counters;

enum cpu_state {
	CPU_ABSENT = 0,
	CPU_STARTING,
	CPU_ONLINE,
	CPU_FAILED,
};

struct cpu {
	struct cpu *self;      /* 0x00 */
	uint32_t id;	       /* 0x08 logical index in the boot description */
	uint32_t apic_id;      /* 0x0c */
	uint64_t kstack_top;   /* 0x10 */
	uint64_t scratch[2];   /* 0x18 for entry code */
	uint64_t stack_canary; /* 0x28 %fs:0x28 */
	volatile uint32_t state;
	uint32_t pad;
	/* ktest work handed to this core by the boot core */
	void (*volatile work_fn)(void *arg);
	void *volatile work_arg;
	volatile uint64_t work_seq; /* bumped by the sender */
	volatile uint64_t done_seq; /* set to work_seq when finished */
	volatile uint32_t ktest_failures;
	volatile uint32_t halted;	   /* in hlt, needs an IPI to see work */
	struct lwk_cpu_counters *counters; /* kernel entries (lwk/counters.h) */
	struct thread *current;		   /* running on this core, or NULL (idle) */
	struct thread *rq_head, *rq_tail;  /* runnable threads of this core */
	struct spinlock rq_lock;
	uint64_t idle_ksp;	     /* the idle loop's stack while a thread runs */
	uint32_t nthreads;	     /* threads placed on this core, alive */
	struct thread *zombies;	     /* exited here; freed from the idle loop */
	volatile uint32_t tlb_flush; /* set by mprotect elsewhere: flush, clear */
	uint32_t timed_sleepers;     /* its threads blocked with a deadline */
	struct cpu_arch arch;
} __aligned(64);

_Static_assert(__builtin_offsetof(struct cpu, self) == 0, "gs:0 is self");
_Static_assert(__builtin_offsetof(struct cpu, stack_canary) == 0x28,
	       "libfdt reads the canary at fs:0x28");

extern struct cpu cpus[LWK_BD_MAX_CPUS];
extern unsigned int ncpus;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

#define for_each_cpu(c) for (struct cpu *c = cpus; c < cpus + ncpus; c++)

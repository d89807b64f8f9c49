/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU data. The arch finds the running core's block through its self
 * field in one load, and gives the stack protector its canary from
 * stack_canary; arch/percpu.h says how, and pins both offsets.
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
	CPU_STOPPED, /* halted for good (cpus_stop_others) */
};

struct cpu {
	struct cpu *self;      /* 0x00 this block: arch_this_cpu() reads it */
	uint32_t id;	       /* 0x08 logical index in the boot description */
	uint32_t apic_id;      /* 0x0c */
	uint64_t kstack_top;   /* 0x10 */
	uint64_t scratch[2];   /* 0x18 for entry code */
	uint64_t stack_canary; /* 0x28 read by stack-protected code (libfdt) */
	volatile uint32_t state;
	uint32_t pad;
	/* ktest work handed to this core by the boot core */
	void (*volatile work_fn)(void *arg);
	void *volatile work_arg;
	volatile uint64_t work_seq; /* bumped by the sender */
	volatile uint64_t done_seq; /* set to work_seq when finished */
	struct cpu *work_from;	    /* the sender, woken when it is done */
	volatile uint32_t ktest_failures;
	volatile uint32_t halted;	   /* in arch_idle_halt: arch_cpu_wake it */
	volatile uint8_t *halted_pub;	   /* the channel's cpu_halted[id], or NULL */
	uint32_t word_waiters;		   /* its threads in sched_block_until */
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

#include <arch/percpu.h>

extern struct cpu cpus[LWK_BD_MAX_CPUS];
extern unsigned int ncpus;

static inline struct cpu *this_cpu(void)
{
	return arch_this_cpu();
}

#define for_each_cpu(c) for (struct cpu *c = cpus; c < cpus + ncpus; c++)

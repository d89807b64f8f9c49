/* SPDX-License-Identifier: GPL-2.0-only */
/* Processes and their threads. */
#pragma once

#include <lwk/types.h>
#include <lwk/uvm.h>

#define PROC_MAX_THREADS 256
#define THREAD_KSTACK_SHIFT 14 /* 16 KiB kernel stack per thread */

enum thread_state { THREAD_RUNNABLE, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

struct proc;

struct thread {
	int tid;
	enum thread_state state;
	struct proc *proc;
	struct cpu *cpu;
	uint64_t kstack_base, kstack_top;
	uint64_t fs_base;
	uint64_t clear_child_tid; /* set_tid_address */
	uint64_t robust_list, robust_len;
};

struct proc {
	int pid;
	bool exited;
	int exit_status; /* wait status, Linux encoding */
	struct uvm uvm;
	struct thread *threads[PROC_MAX_THREADS];
	unsigned int nthreads;
	uint64_t start_tsc;
	char name[32];
};

/* Create a process with @mem bytes of memory; its regions are mapped by
 * the caller (exec). */
int proc_create(uint64_t mem, const char *name, struct proc **out);
void proc_destroy(struct proc *p);
/* A thread of @p that will enter user mode at @entry with stack @sp. */
int thread_create(struct proc *p, struct thread **out);
/* Run @t on this core, entering user mode: does not return. */
__noreturn void thread_run(struct thread *t, uint64_t entry, uint64_t sp);
/* The thread running on this core. */
struct thread *thread_current(void);
/* End the whole process with a wait status (exit code << 8, or signal). */
__noreturn void proc_exit(struct proc *p, int wait_status);
/* A user-mode exception the process does not handle: it dies of @signo.
 * Called by the arch layer with the faulting instruction and address. */
__noreturn void proc_user_fault(int signo, uint64_t rip, uint64_t addr, const char *what);

/* Bare mode (lwkctl bare): run the boot description's program, and report
 * its end. */
struct bootdesc;
__noreturn void bare_run(const struct bootdesc *bd);
__noreturn void bare_process_ended(struct proc *p);

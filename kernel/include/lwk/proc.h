/* SPDX-License-Identifier: GPL-2.0-only */
/* Processes and their threads. */
#pragma once

#include <lwk/types.h>
#include <lwk/signal.h>
#include <lwk/uvm.h>
#include <arch/thread_arch.h>

#define PROC_MAX_THREADS 256
/* As many as a boot description names (LWK_BD_MAX_CPUS). */
#define PROC_MAX_CORES 256
#define THREAD_KSTACK_SHIFT 14 /* 16 KiB kernel stack per thread */
/* 8 KiB of FPU and vector state: x86 AVX-512 needs ~2.7 KiB; thread_create
 * refuses a CPU whose arch_fpu_state_size() is larger. */
#define THREAD_FPU_SHIFT 13

/* NEW: created, not started yet: nothing may wake or signal it. */
enum thread_state { THREAD_NEW, THREAD_RUNNABLE, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

struct proc;
struct lwk_chan_proc;

struct thread {
	int tid;
	enum thread_state state;
	struct proc *proc;
	struct cpu *cpu; /* the core it runs on, for good */
	uint64_t kstack_base, kstack_top;
	uint64_t ksp;		   /* saved kernel stack pointer while switched out */
	void *fpu;		   /* FPU and vector state (arch_fpu_save) */
	struct thread_arch arch;   /* user TLS, saved while switched out */
	uint64_t cpu_cycles;	   /* time it ran, up to run_since */
	uint64_t run_since;	   /* when it was last switched in */
	uint64_t clear_child_tid;  /* set_tid_address / CLONE_CHILD_CLEARTID */
	struct trap_frame *uframe; /* its user registers, during a syscall */
	uint64_t robust_list, robust_len;
	struct thread *rq_next; /* run queue link, or zombie list link */
	bool wake_pending;	/* woken before it managed to block */
	uint64_t deadline_ns;	/* a timed block ends then (0: none) */
	/* sched_block_until: the block ends once *wait_word == wait_want */
	const volatile uint32_t *wait_word;
	uint32_t wait_want;
	bool timed_out;
	/* signals */
	uint64_t sig_blocked, sig_pending;
	/* during sigtimedwait, which unblocks the signals it waits for: the
	 * thread's own mask (Linux's real_blocked), 0 otherwise */
	uint64_t sig_real_blocked;
	struct ksiginfo sig_info[NSIG];		 /* why each pending signal was sent */
	struct ksiginfo sig_queue[SIGQUEUE_MAX]; /* real-time signals, in order */
	unsigned int sig_queued;
	uint64_t altstack_sp, altstack_size;
	int altstack_flags;
	/* a call that ran under a temporary mask (sigsuspend, ppoll...):
	 * the thread's own mask, put back when the call ends or, if a
	 * signal's handler runs, by that handler's sigreturn */
	uint64_t sig_saved_mask;
	bool sig_restore_mask;
	/* a system call a signal interrupted, until delivery decides between
	 * EINTR and a restart: its number and ERESTARTSYS / ERESTARTNOHAND */
	uint64_t restart_nr;
	int restart_code;
	/* futex wait */
	struct thread *futex_next;
	uint64_t futex_key; /* physical address of the word */
	uint32_t futex_bitset;
};

struct proc {
	int pid;
	struct spinlock lock;	/* threads[] and every thread's pending signals */
	unsigned int next_core; /* round-robin placement: an index into cores[] */
	unsigned int ncores;	/* its cores: cores[0 .. ncores-1] */
	unsigned int nlive;	/* threads not yet exited */
	bool pid_given;		/* the first thread took tid == pid */
	bool exiting;		/* exit_group or a fatal signal: threads are dying */
	int exit_status;	/* wait status, Linux encoding */
	int leader_status;	/* what its first thread exited with */
	/* its cores, logical indexes; cores[0] has the first thread */
	uint16_t cores[PROC_MAX_CORES];
	/* Called once every thread is gone, just before the process's memory
	 * and slot are freed (bare mode ends the run there). */
	void (*ended)(struct proc *p);
	/* Its channel entry and proxy; NULL in bare mode (no proxy). A
	 * process with one keeps its memory and slot after it ended, until
	 * the service core calls proc_destroy (the proxy may still have
	 * the memory mapped). */
	struct lwk_chan_proc *chan;
	struct uvm uvm;
	struct k_sigaction sigactions[NSIG];
	struct thread *threads[PROC_MAX_THREADS];
	unsigned int nthreads;
	uint64_t start_tsc;
	uint64_t dead_cpu_cycles; /* CPU time of the threads that ended */
	char name[32];
};

/* Create a process with @mem bytes of memory; its regions are mapped by
 * the caller (exec). */
int proc_create(uint64_t mem, const char *name, struct proc **out);
void proc_destroy(struct proc *p);
/* A thread of @p that will enter user mode at @entry with stack @sp. */
int thread_create(struct proc *p, struct thread **out);
/* Make @t start in user mode at @entry with stack @sp, on core @cpu. */
void thread_start(struct thread *t, struct cpu *cpu, uint64_t entry, uint64_t sp);
/* Free the resources of a thread that exited (called where its kernel
 * stack is certainly not in use: the idle loop of its core). */
void thread_reap(struct thread *t);
/* Make every core running threads of @p drop stale TLB entries. */
void proc_tlb_shootdown(struct proc *p);
/* Thread table walk: the i-th slot's thread, a zeroed slot if unused, NULL
 * past the end. */
struct thread *thread_table_iter(unsigned int i);
/* CPU time in cycles: the calling thread's, or the whole process's. */
uint64_t thread_cpu_cycles(void);
uint64_t proc_cpu_cycles(struct proc *p);
/* The live thread of @p with ID @tid, or NULL. Found under the process
 * lock, which is dropped on return: a caller that acts on the thread must
 * check again that it is still p's (signal_send does). */
struct thread *proc_find_thread(struct proc *p, int tid);
/* A thread's index in the kernel's thread table (its channel slot). */
unsigned int thread_index(const struct thread *t);
/* The thread running on this core. */
struct thread *thread_current(void);
/* End the whole process with a wait status (exit code << 8, or signal):
 * every other thread is killed, and this one exits. The process is freed
 * when the last thread is reaped. */
__noreturn void proc_exit(struct proc *p, int wait_status);
/* The core for a new thread of @p: its cores in turn, skipping any that
 * is not online (the caller's core if none is). */
struct cpu *proc_next_core(struct proc *p);
/* From outside the process (the service core): end it with SIGKILL, as
 * kill -9 does, or send it @sig (signal_send_process). */
void proc_kill(struct proc *p);
int proc_signal(struct proc *p, int sig);
/* An ending process whose threads are still there: give each its SIGKILL
 * and wake-up again (a backstop against one that missed it). Returns how
 * many threads it has. */
unsigned int proc_kill_again(struct proc *p);
/* End @p from anywhere, with @wait_status unless it is ending already:
 * every thread, the caller's too if it is one, gets SIGKILL and dies where
 * it is, a running one on another core is interrupted, a queued one dies
 * when its core gets to it. The caller holds p->lock. */
void proc_kill_locked(struct proc *p, int wait_status);
/* End the calling thread; the last one sets the process's wait status. */
__noreturn void thread_exit(int wait_status);
/* Every way back to user mode passes here (after a system call, an
 * interrupt, or at a thread's first start): pending signals act, among
 * them the SIGKILL that ends the threads of an exiting process. */
struct trap_frame;
void thread_return_to_user(struct trap_frame *tf);
/* A user-mode exception the process does not handle: it dies of @signo.
 * Called by the arch layer with the faulting instruction and address. */
__noreturn void proc_user_fault(int signo, uint64_t pc, uint64_t addr, const char *what);

/* Bare mode (lwkctl bare): run the boot description's program, and report
 * its end. */
struct bootdesc;
__noreturn void bare_run(const struct bootdesc *bd);
void bare_process_ended(struct proc *p);

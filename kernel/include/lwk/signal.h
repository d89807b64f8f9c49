/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Signals, Linux semantics: per-process actions, per-thread masks, pending
 * sets and alternate stacks. Delivery happens on the way back to user mode
 * (after a system call or an interrupt), or at once for a fault.
 */
#pragma once

#include <lwk/types.h>
#include <uapi/lwk/signal.h>

#define NSIG 64
#define SIG_BIT(s) (1ull << ((s)-1))

#define SI_USER 0
#define SI_TKILL (-6)

struct k_sigaction {
	uint64_t handler; /* SIG_DFL 0, SIG_IGN 1, or an address */
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

#define SA_SIGINFO 0x4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_RESTORER 0x04000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000

/* What the handler is told (the start of Linux's siginfo_t). */
struct ksiginfo {
	int signo;
	int code;
	uint64_t addr;	/* faults: the address */
	int pid, uid;	/* kill/tkill/sigqueue: the sender */
	uint64_t value; /* sigqueue: si_value */
};

/* Internal results of a system call a signal interrupted; they never reach
 * user mode (Linux's values, which Linux keeps internal too). Delivery
 * decides: a handler without SA_RESTART (any handler, for ERESTARTNOHAND)
 * makes the call fail with EINTR; otherwise it runs again. */
#define ERESTARTSYS 512
#define ERESTARTNOHAND 514

#define SIGRTMIN_KERNEL 32
#define SIGQUEUE_MAX 32 /* queued real-time signals per thread */
#define SI_QUEUE (-1)

struct thread;
struct trap_frame;

/* Make @sig pending for thread @t (from kill/tkill: @info describes it).
 * Real-time signals queue; -EAGAIN when the queue is full. If @t does not
 * block it and its action is to terminate, the whole process is killed
 * at once, with status @sig, as Linux does. */
int signal_send(struct thread *t, const struct ksiginfo *info);
/* The same for a signal sent to process @p as a whole: it goes to one of
 * its threads that does not block it, preferably one that runs. */
struct proc;
int signal_send_process(struct proc *p, const struct ksiginfo *info);
/* Has @t a pending, unblocked signal (a blocking call must end, EINTR)? */
bool signal_interrupts(const struct thread *t);
/* Deliver what is pending and unblocked to the current thread, which is
 * about to return to user mode with the registers in @tf. */
void signal_deliver(struct trap_frame *tf);
/* A fault in user mode: run the handler, or die of the signal. */
void signal_fault(struct trap_frame *tf, const struct ksiginfo *info, const char *what);
/* End of system call @nr: a result of -ERESTARTSYS or -ERESTARTNOHAND is
 * noted for signal delivery, which comes next and decides. */
void signal_syscall_result(struct thread *t, uint64_t nr, int64_t ret);
/* After delivery: a restart code no signal decided on (the signal went
 * away meanwhile) means the call runs again, as Linux does. */
void signal_syscall_finish(struct trap_frame *tf);

/* Run the rest of the current system call under signal mask @mask, as
 * sigsuspend, ppoll, pselect6 and epoll_pwait do. signal_mask_end() puts
 * the thread's own mask back when the call returns @ret, unless a signal
 * interrupted it (-ERESTARTNOHAND): then a handler runs under @mask and
 * its sigreturn restores the old one (the frame records it), or, with no
 * handler, the mask is restored on the way out. */
void signal_mask_begin(struct thread *t, uint64_t mask);
void signal_mask_end(struct thread *t, int64_t ret);

/* Arch: lay out the signal frame on the user stack at @sp and point the
 * registers at the handler; restore from it on rt_sigreturn. */
int arch_signal_frame_setup(struct thread *t, struct trap_frame *tf, uint64_t sp, int sig,
			    const struct ksiginfo *info, const struct k_sigaction *ka,
			    uint64_t old_mask);
int arch_signal_frame_restore(struct thread *t, struct trap_frame *tf, uint64_t *mask);
/* Arch: write a siginfo for @sig to user memory at @uva (sigtimedwait). */
int arch_siginfo_copy_out(struct thread *t, uint64_t uva, int sig, const struct ksiginfo *info);
/* Make the system call that @tf returns from run again (number @nr) when
 * the thread goes back to user mode. */
void arch_syscall_restart(struct trap_frame *tf, uint64_t nr);

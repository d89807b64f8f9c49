// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of signal bookkeeping (kernel/proc/signal.c): what a send
 * makes pending and whom it wakes or kills, which thread a signal for
 * the process goes to, queueing, and what delivery does to the mask, the
 * frame and an interrupted system call. The fake arch records the signal
 * frame in the trap frame instead of writing it to the user stack.
 */
#include <lwk/arch.h>
#include <lwk/errno.h>
#include <lwk/signal.h>
#include <lwk/syscall.h>
#include "fake_arch.h"
#include "fake_kernel.h"
#include "htest.h"

#define HANDLER 0x401000ull
#define USER_SP 0x7ff000ull
#define RED_ZONE 128
#define SIGRT(n) (SIGRTMIN_KERNEL + (n))

static struct proc *proc;

/* A process of @nthreads threads; returns the first, the running one. */
static struct thread *signal_setup(unsigned int nthreads)
{
	proc = fake_proc_create(nthreads, MiB(4));
	return proc->threads[0];
}

static struct thread *thread(unsigned int i)
{
	return proc->threads[i];
}

static void handle(int sig, uint64_t flags, uint64_t mask)
{
	proc->sigactions[sig - 1] =
	    (struct k_sigaction){ HANDLER, flags | SA_RESTORER, HANDLER + 0x100, mask };
}

static int send(struct thread *t, int sig)
{
	struct ksiginfo info = { .signo = sig, .code = SI_TKILL, .pid = proc->pid };

	return t ? signal_send(t, &info) : signal_send_process(proc, &info);
}

static int64_t call(syscall_fn fn, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct syscall_args sa = { 0, { a0, a1, a2, a3, 0, 0 } };

	return fn(&sa);
}

HTEST(signal, send_makes_pending_and_wakes)
{
	signal_setup(1);
	handle(SIGUSR1, 0, 0);
	EXPECT_EQ(send(thread(0), SIGUSR1), 0);
	EXPECT_EQ(thread(0)->sig_pending, SIG_BIT(SIGUSR1));
	EXPECT(signal_interrupts(thread(0)));
	EXPECT_EQ(fake_wakes, 1);
	EXPECT_EQ(fake_cpu_wakes, 0); /* it is the running thread */
	/* blocked: pending, but it interrupts nothing and wakes nobody */
	thread(0)->sig_blocked = SIG_BIT(SIGUSR2);
	handle(SIGUSR2, 0, 0);
	EXPECT_EQ(send(thread(0), SIGUSR2), 0);
	EXPECT_EQ(fake_wakes, 1);
	EXPECT_EQ(thread(0)->sig_pending, SIG_BIT(SIGUSR1) | SIG_BIT(SIGUSR2));
	fake_proc_destroy(proc);
}

HTEST(signal, ignored_signals_are_discarded)
{
	signal_setup(1);
	EXPECT_EQ(send(thread(0), SIGCHLD), 0);	   /* ignored by default */
	proc->sigactions[SIGUSR1 - 1].handler = 1; /* SIG_IGN */
	EXPECT_EQ(send(thread(0), SIGUSR1), 0);
	EXPECT_EQ(thread(0)->sig_pending, 0);
	EXPECT_EQ(fake_wakes, 0);
	fake_proc_destroy(proc);
}

/* A signal whose default action terminates ends the whole process at
 * once, unless the thread blocks it. */
HTEST(signal, fatal_default_kills_the_process)
{
	signal_setup(2);
	thread(1)->sig_blocked = SIG_BIT(SIGTERM);
	EXPECT_EQ(send(thread(1), SIGTERM), 0);
	EXPECT_EQ(fake_killed_status, -1);
	EXPECT_EQ(send(thread(0), SIGTERM), 0);
	EXPECT_EQ(fake_killed_status, SIGTERM);
	EXPECT(proc->exiting);
	fake_proc_destroy(proc);
}

HTEST(signal, process_signal_goes_to_a_thread_that_takes_it)
{
	signal_setup(3);
	handle(SIGUSR1, 0, 0);
	thread(0)->sig_blocked = SIG_BIT(SIGUSR1); /* the caller blocks it */
	thread(1)->sig_blocked = SIG_BIT(SIGUSR1);
	EXPECT_EQ(send(NULL, SIGUSR1), 0);
	EXPECT_EQ(thread(2)->sig_pending, SIG_BIT(SIGUSR1));
	EXPECT_EQ(fake_cpu_wakes, 1); /* running elsewhere: interrupted */
	/* the caller itself, when it does not block it */
	thread(0)->sig_blocked = 0;
	EXPECT_EQ(send(NULL, SIGUSR1), 0);
	EXPECT_EQ(thread(0)->sig_pending, SIG_BIT(SIGUSR1));
	/* all block it: it stays pending on the first */
	thread(0)->sig_blocked = thread(2)->sig_blocked = SIG_BIT(SIGUSR2);
	thread(1)->sig_blocked = SIG_BIT(SIGUSR2);
	handle(SIGUSR2, 0, 0);
	EXPECT_EQ(send(NULL, SIGUSR2), 0);
	EXPECT_EQ(thread(0)->sig_pending, SIG_BIT(SIGUSR1) | SIG_BIT(SIGUSR2));
	/* a thread that ended takes nothing */
	thread(1)->state = THREAD_DEAD;
	EXPECT_EQ(send(thread(1), SIGUSR1), -ESRCH);
	fake_proc_destroy(proc);
}

/* Real-time signals queue, in order, up to SIGQUEUE_MAX; standard ones
 * keep the first sender's information. */
HTEST(signal, realtime_signals_queue)
{
	struct ksiginfo info = { .signo = SIGRT(2), .code = SI_QUEUE };
	struct thread *t = signal_setup(1);

	handle(SIGRT(2), 0, 0);
	t->sig_blocked = SIG_BIT(SIGRT(2));
	for (unsigned int i = 0; i < SIGQUEUE_MAX; i++) {
		info.value = i;
		EXPECT_EQ(signal_send(t, &info), 0);
	}
	EXPECT_EQ(signal_send(t, &info), -EAGAIN);
	EXPECT_EQ(t->sig_queued, SIGQUEUE_MAX);
	handle(SIGUSR1, 0, 0);
	t->sig_blocked |= SIG_BIT(SIGUSR1);
	info = (struct ksiginfo){ .signo = SIGUSR1, .pid = 1 };
	EXPECT_EQ(signal_send(t, &info), 0);
	info.pid = 2;
	EXPECT_EQ(signal_send(t, &info), 0);
	EXPECT_EQ(t->sig_info[SIGUSR1 - 1].pid, 1);
	fake_proc_destroy(proc);
}

static struct trap_frame user_frame(void)
{
	return (struct trap_frame){ .pc = 0x400000, .sp = USER_SP };
}

HTEST(signal, delivery_runs_the_handler_under_its_mask)
{
	struct trap_frame tf = user_frame();
	struct thread *t = signal_setup(1);

	handle(SIGUSR1, SA_RESETHAND, SIG_BIT(SIGUSR2) | SIG_BIT(SIGKILL));
	t->sig_blocked = SIG_BIT(SIGHUP);
	EXPECT_EQ(send(t, SIGUSR1), 0);
	signal_deliver(&tf);
	EXPECT_EQ(tf.frame_sig, SIGUSR1);
	EXPECT_EQ(tf.frame_sp, USER_SP - RED_ZONE);
	EXPECT_EQ(tf.frame_mask, SIG_BIT(SIGHUP)); /* what sigreturn restores */
	EXPECT_EQ(tf.pc, HANDLER);
	EXPECT_EQ(t->sig_pending, 0);
	EXPECT_EQ(t->sig_blocked, SIG_BIT(SIGHUP) | SIG_BIT(SIGUSR1) | SIG_BIT(SIGUSR2));
	EXPECT_EQ(proc->sigactions[SIGUSR1 - 1].handler, 0); /* SA_RESETHAND */
	/* rt_sigreturn puts the frame's mask back */
	t->uframe = &tf;
	tf.ret = 42;
	EXPECT_EQ(call(sys_rt_sigreturn, 0, 0, 0, 0), 42);
	EXPECT_EQ(t->sig_blocked, SIG_BIT(SIGHUP));
	fake_proc_destroy(proc);
}

HTEST(signal, handler_on_the_alternate_stack)
{
	struct trap_frame tf = user_frame();
	struct thread *t = signal_setup(1);

	handle(SIGUSR1, SA_ONSTACK | SA_NODEFER, 0);
	t->altstack_sp = 0x900000;
	t->altstack_size = 0x4000;
	EXPECT_EQ(send(t, SIGUSR1), 0);
	signal_deliver(&tf);
	EXPECT_EQ(tf.frame_sp, 0x904000);
	EXPECT_EQ(t->sig_blocked, 0); /* SA_NODEFER */
	/* already on it: the frame goes below where it is */
	tf = user_frame();
	tf.sp = 0x902000;
	EXPECT_EQ(send(t, SIGUSR1), 0);
	signal_deliver(&tf);
	EXPECT_EQ(tf.frame_sp, 0x902000 - RED_ZONE);
	fake_proc_destroy(proc);
}

/* An interrupted call: restarted under SA_RESTART, else EINTR; restarted
 * too when no handler ran. */
HTEST(signal, interrupted_call_restarts_or_fails)
{
	struct trap_frame tf = user_frame();
	struct thread *t = signal_setup(1);

	handle(SIGUSR1, SA_RESTART, 0);
	handle(SIGUSR2, 0, 0);
	signal_syscall_result(t, NR_read, -ERESTARTSYS);
	EXPECT_EQ(send(t, SIGUSR1), 0);
	signal_deliver(&tf);
	EXPECT_EQ(tf.restart_nr, NR_read);
	EXPECT_EQ(tf.ret, 0);
	tf = user_frame();
	t->sig_blocked = 0;
	signal_syscall_result(t, NR_read, -ERESTARTSYS);
	EXPECT_EQ(send(t, SIGUSR2), 0);
	signal_deliver(&tf);
	EXPECT_EQ(tf.ret, -EINTR);
	EXPECT_EQ(tf.restart_nr, 0);
	/* ERESTARTNOHAND: any handler means EINTR */
	tf = user_frame();
	t->sig_blocked = 0;
	signal_syscall_result(t, NR_pause, -ERESTARTNOHAND);
	EXPECT_EQ(send(t, SIGUSR1), 0);
	signal_deliver(&tf);
	EXPECT_EQ(tf.ret, -EINTR);
	/* no signal after all: the call runs again */
	tf = user_frame();
	signal_syscall_result(t, NR_read, -ERESTARTSYS);
	signal_syscall_finish(&tf);
	EXPECT_EQ(tf.restart_nr, NR_read);
	fake_proc_destroy(proc);
}

HTEST(signal, unwritable_frame_or_blocked_fault_kills)
{
	struct trap_frame tf = user_frame();
	struct ksiginfo segv = { .signo = SIGSEGV, .addr = 8 };

	signal_setup(1);
	handle(SIGUSR1, 0, 0);
	fake_signal_frame_err = -EFAULT;
	EXPECT_EQ(send(thread(0), SIGUSR1), 0);
	if (!setjmp(fake_exit_jmp))
		signal_deliver(&tf);
	EXPECT_EQ(fake_exit_status, SIGSEGV);
	EXPECT_STR_CONTAINS(fake_log_last, "cannot write the frame for signal 10");
	/* a fault whose signal is blocked ends the process */
	fake_signal_frame_err = 0;
	fake_exit_status = -1;
	handle(SIGSEGV, 0, 0);
	thread(0)->sig_blocked = SIG_BIT(SIGSEGV);
	if (!setjmp(fake_exit_jmp))
		signal_fault(&tf, &segv, "page fault");
	EXPECT_EQ(fake_exit_status, SIGSEGV);
	fake_proc_destroy(proc);
}

HTEST(signal, sigprocmask_never_blocks_kill_or_stop)
{
	uint64_t set = ~0ull, old = 0, uset;
	struct thread *t = signal_setup(1);

	EXPECT_EQ(uvm_mmap(&proc->uvm, 0, 4096, false, false, &uset), 0);
	EXPECT_EQ(uvm_copy_out(&proc->uvm, uset, &set, 8), 0);
	EXPECT_EQ(call(sys_rt_sigprocmask, 2 /* SIG_SETMASK */, uset, uset + 8, 8), 0);
	EXPECT_EQ(t->sig_blocked, ~(SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP)));
	EXPECT_EQ(uvm_copy_in(&proc->uvm, &old, uset + 8, 8), 0);
	EXPECT_EQ(old, 0);
	EXPECT_EQ(call(sys_rt_sigprocmask, 7, uset, 0, 8), -EINVAL);
	EXPECT_EQ(call(sys_rt_sigprocmask, 0, uset, 0, 4), -EINVAL);
	fake_proc_destroy(proc);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktests for signals sent to a process whose threads outnumber its cores.
 * Two threads share core 1: the one that started first spins in user mode
 * for ever and never enters the kernel, the other waits behind it, queued,
 * and never gets the core (scheduling is cooperative). The boot core plays
 * kill(1): a fatal signal must end the process even when it targets the
 * queued thread, and a handler must run on the thread that runs.
 *
 * The threads run the forwarding tests' user code
 * (arch/x86_64/ktest_forward_user.S): with no round asked for, it spins
 * on its control block; its signal handler counts in the block.
 */
#include <string.h>
#include <lwk/arch.h>
#include <lwk/cpus.h>
#include <lwk/ktest.h>
#include <lwk/ktest_proc.h>
#include <lwk/proc.h>
#include <lwk/signal.h>
#include <lwk/syscall.h>

#define CTL_STRIDE KiB(64) /* each thread's block; its stack lies below */
#define WAIT_MS 5000
#define QUIET_MS 50 /* how long "nothing happens" is watched */

extern const char arch_ktest_fwd_code[], arch_ktest_fwd_code_end[];
extern const char arch_ktest_fwd_entry[], arch_ktest_fwd_handler[], arch_ktest_fwd_restorer[];

/* Words of a thread's control block, as ktest_forward_user.S lays it out. */
#define CTL_DONE 0
#define CTL_ROUND 1
#define CTL_NR 2
#define CTL_HANDLED 10

struct spin_test {
	struct proc *p;
	struct thread *running, *queued;
};

static uint64_t user_va(const char *sym)
{
	return ktest_user_va(arch_ktest_fwd_code, sym);
}

/* Thread @slot's control block: 0 the queued thread's, 1 the spinner's. */
static uint64_t ctl_va(unsigned int slot)
{
	return KTEST_CTL_VA + (slot + 1) * CTL_STRIDE;
}

static volatile uint64_t *ctl_of(struct spin_test *st, unsigned int slot)
{
	return uvm_kaddr(&st->p->uvm, ctl_va(slot), 8 * (CTL_HANDLED + 1), 0);
}

/* Until the spinner is in user mode for good: it made the one call it
 * was asked for (getpid), at most WAIT_MS. */
static bool wait_spinning(struct spin_test *st)
{
	uint64_t end = ktest_deadline_ms(WAIT_MS);

	while (ctl_of(st, 1)[CTL_DONE] != 1)
		if (arch_cycles() > end)
			return false;
	return true;
}

static void spin_finish(struct spin_test *st, int ended_before);

/* The process's first thread is the queued one (a process-directed
 * signal used to go to the first thread that does not block it), its
 * second the spinner, started first so that it has the core. @mask is
 * what the queued one blocks. */
static bool spin_start(struct spin_test *st, uint64_t mask)
{
	memset(st, 0, sizeof(*st));
	if (ncpus < 2 || cpus[1].state != CPU_ONLINE) {
		ktest_skip("needs a second core");
		return false;
	}
	st->p =
	    ktest_proc_create("ktest-signal", arch_ktest_fwd_code, arch_ktest_fwd_code_end, false);
	if (!st->p) {
		ktest_fail(__FILE__, __LINE__, "cannot make the test process");
		return false;
	}
	if (thread_create(st->p, &st->queued) || thread_create(st->p, &st->running)) {
		ktest_fail(__FILE__, __LINE__, "cannot make the test threads");
		proc_destroy(st->p);
		return false;
	}
	st->queued->sig_blocked = mask;
	ctl_of(st, 1)[CTL_NR] = NR_getpid;
	ctl_of(st, 1)[CTL_ROUND] = 1;
	thread_start(st->running, &cpus[1], user_va(arch_ktest_fwd_entry), ctl_va(1));
	thread_start(st->queued, &cpus[1], user_va(arch_ktest_fwd_entry), ctl_va(0));
	if (!wait_spinning(st)) {
		ktest_fail(__FILE__, __LINE__, "the spinning thread did not start");
		spin_finish(st, ktest_procs_ended());
		return false;
	}
	return true;
}

/* SIGKILL, as kill -9 does; a test that failed leaves no spinner behind. */
static void spin_finish(struct spin_test *st, int ended_before)
{
	if (ktest_procs_ended() > ended_before)
		return;
	proc_kill(st->p);
	if (!ktest_procs_wait(ended_before + 1, WAIT_MS))
		ktest_fail(__FILE__, __LINE__, "SIGKILL did not end the test process");
}

static void send(struct thread *t, int sig)
{
	struct ksiginfo info = { .signo = sig, .code = SI_USER };

	KT_EXPECT_EQ(signal_send(t, &info), 0);
}

TEST(signal, fatal_signal_to_a_queued_thread_ends_the_process)
{
	int before = ktest_procs_ended();
	struct spin_test st;

	if (!spin_start(&st, 0))
		return;
	send(st.queued, SIGTERM);
	if (!ktest_procs_wait(before + 1, WAIT_MS))
		ktest_fail(__FILE__, __LINE__, "SIGTERM to the queued thread: no end in %u ms",
			   WAIT_MS);
	else
		KT_EXPECT_EQ(ktest_proc_last_status(),
			     SIGTERM); /* killed by it: 128 + 15 for the shell */
	spin_finish(&st, before);
}

TEST(signal, process_signal_runs_its_handler_on_the_running_thread)
{
	uint64_t end = ktest_deadline_ms(WAIT_MS);
	int before = ktest_procs_ended();
	struct spin_test st;

	if (!spin_start(&st, 0))
		return;
	st.p->sigactions[SIGUSR1 - 1] = (struct k_sigaction){
		.handler = user_va(arch_ktest_fwd_handler),
		.flags = SA_RESTORER,
		.restorer = user_va(arch_ktest_fwd_restorer),
	};
	KT_EXPECT_EQ(proc_signal(st.p, SIGUSR1), 0); /* kill(1) through lwkexec */
	while (ktest_procs_ended() == before && !ctl_of(&st, 1)[CTL_HANDLED] && arch_cycles() < end)
		arch_pause();
	KT_EXPECT_EQ(ktest_procs_ended(), before); /* a handler, not the end */
	if (ktest_procs_ended() == before)
		KT_EXPECT_EQ(ctl_of(&st, 1)[CTL_HANDLED], 1);
	spin_finish(&st, before);
	KT_EXPECT_EQ(ktest_proc_last_status(), SIGKILL);
}

/* A fatal signal that the target blocks, or waits for in sigtimedwait
 * (which unblocks it for the wait only), stays pending: nothing ends. */
TEST(signal, blocked_fatal_signal_stays_pending)
{
	int before = ktest_procs_ended();
	struct spin_test st;

	if (!spin_start(&st, SIG_BIT(SIGTERM)))
		return;
	send(st.queued, SIGTERM);
	KT_EXPECT(!ktest_procs_wait(before + 1, QUIET_MS));
	KT_EXPECT(st.queued->sig_pending & SIG_BIT(SIGTERM));
	/* As sigwait_block leaves it: unblocked, the thread's own mask aside. */
	st.queued->sig_real_blocked = st.queued->sig_blocked | SIG_BIT(SIGINT);
	st.queued->sig_blocked = 0;
	send(st.queued, SIGINT);
	KT_EXPECT(!ktest_procs_wait(before + 1, QUIET_MS));
	st.queued->sig_real_blocked = 0;
	spin_finish(&st, before);
	KT_EXPECT_EQ(ktest_proc_last_status(), SIGKILL);
}

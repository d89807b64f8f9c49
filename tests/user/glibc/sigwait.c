// SPDX-License-Identifier: GPL-2.0-only
/*
 * Waiting for signals, and the CPU time a process used, as Linux does
 * them: pause ends with EINTR once a handler ran; sigsuspend runs a handler under its temporary mask, fails with
 * EINTR and leaves the old mask in place; sigtimedwait takes a pending
 * signal of its set (with its siginfo, real-time ones in order) without
 * running a handler, waits for one sent by another thread, gives up with
 * EAGAIN at its timeout, and fails with EINTR when another signal's handler
 * runs; getrusage and times count the CPU time spent spinning. glibc only:
 * libc-min has no sigaction.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include "lwk_test.h"
#include "sig_test.h"

#define SPIN_NS (200 * MS)

static volatile sig_atomic_t handled, usr2_handled;
static volatile sig_atomic_t usr2_blocked_in_handler;

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	EXPECT(clock_gettime(clk, &ts) == 0);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static int is_pending(int sig)
{
	sigset_t pending;

	EXPECT(sigpending(&pending) == 0);
	return sigismember(&pending, sig);
}

/* The thread's mask becomes exactly {sig} (nothing if 0). */
static void on_usr1(int sig)
{
	handled++;
	usr2_blocked_in_handler = is_blocked(SIGUSR2);
}

static void on_usr2(int sig)
{
	usr2_handled++;
}

static void set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	EXPECT(sigaction(sig, &sa, NULL) == 0);
}

/* A thread that sends @sig to @target after @delay_ms, once or (repeat)
 * every @delay_ms until told to stop. */
struct sender {
	pthread_t target, thread;
	int sig, delay_ms, repeat;
	int stop;
};

static void *send_loop(void *arg)
{
	struct sender *s = arg;

	do {
		sleep_ms(s->delay_ms);
		EXPECT(pthread_kill(s->target, s->sig) == 0);
	} while (s->repeat && !__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE));
	return NULL;
}

static void sender_start(struct sender *s, int sig, int delay_ms, int repeat)
{
	*s = (struct sender){
		.target = pthread_self(), .sig = sig, .delay_ms = delay_ms, .repeat = repeat
	};
	EXPECT(pthread_create(&s->thread, NULL, send_loop, s) == 0);
}

static void sender_stop(struct sender *s)
{
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	EXPECT(pthread_join(s->thread, NULL) == 0);
}

/* Another thread's signal ends sigsuspend: the handler runs under the
 * temporary mask, then the old one is back. */
static void check_sigsuspend_woken(void)
{
	sigset_t wait_mask = set_of(SIGUSR2);
	struct sender s;
	int ret;

	set_handler(SIGUSR1, on_usr1);
	mask_only(SIGUSR1);
	handled = 0;
	usr2_blocked_in_handler = 0;
	sender_start(&s, SIGUSR1, 20, 0);
	errno = 0;
	ret = sigsuspend(&wait_mask);
	EXPECT(ret == -1 && errno == EINTR);
	EXPECT(handled == 1);
	EXPECT(usr2_blocked_in_handler);
	EXPECT(is_blocked(SIGUSR1) && !is_blocked(SIGUSR2));
	sender_stop(&s);
	printf("sigsuspend: woken by another thread's SIGUSR1, EINTR, old mask back\n");
}

/* pause ends when a handler has run, with EINTR even under SA_RESTART
 * (on the LWK it waits on its core; the proxy has no part in it). */
static void check_pause_woken(void)
{
	struct sigaction sa;
	struct sender s;
	int ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	EXPECT(sigaction(SIGUSR1, &sa, NULL) == 0);
	mask_only(0);
	handled = 0;
	sender_start(&s, SIGUSR1, 20, 0);
	errno = 0;
	ret = pause();
	EXPECT(ret == -1 && errno == EINTR);
	EXPECT(handled == 1);
	sender_stop(&s);
	printf("pause: woken by another thread's SIGUSR1, EINTR despite SA_RESTART\n");
}

/* A blocked signal that is pending already ends sigsuspend at once. */
static void check_sigsuspend_pending(void)
{
	sigset_t none = set_of(0);

	mask_only(SIGUSR1);
	handled = 0;
	EXPECT(raise(SIGUSR1) == 0);
	EXPECT(handled == 0 && is_pending(SIGUSR1));
	EXPECT(sigsuspend(&none) == -1 && errno == EINTR);
	EXPECT(handled == 1 && !is_pending(SIGUSR1) && is_blocked(SIGUSR1));
	printf("sigsuspend: a pending SIGUSR1 is delivered at once\n");
}

/* A pending signal of the set is taken, with its siginfo and no handler;
 * real-time ones come in the order they were queued. */
static void check_sigtimedwait_pending(void)
{
	sigset_t usr2 = set_of(SIGUSR2), rt = set_of(SIGRTMIN);
	struct timespec second = { 1, 0 }, zero = { 0, 0 };
	siginfo_t si;

	set_handler(SIGUSR2, on_usr2);
	mask_only(SIGUSR2);
	usr2_handled = 0;
	EXPECT(raise(SIGUSR2) == 0);
	memset(&si, 0, sizeof(si));
	EXPECT(sigtimedwait(&usr2, &si, &second) == SIGUSR2);
	/* raise() is tgkill: SI_TKILL, though some Linux builds say SI_USER */
	EXPECT(si.si_signo == SIGUSR2 && si.si_pid == getpid());
	EXPECT(si.si_code == SI_TKILL || si.si_code == SI_USER);
	EXPECT(!is_pending(SIGUSR2) && usr2_handled == 0);

	EXPECT(sigprocmask(SIG_BLOCK, &rt, NULL) == 0);
	for (int v = 7; v <= 8; v++)
		EXPECT(sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = v }) == 0);
	for (int v = 7; v <= 8; v++) {
		EXPECT(sigwaitinfo(&rt, &si) == SIGRTMIN);
		EXPECT(si.si_code == SI_QUEUE && si.si_value.sival_int == v);
	}
	EXPECT(sigtimedwait(&rt, &si, &zero) == -1 && errno == EAGAIN);
	EXPECT(sigprocmask(SIG_UNBLOCK, &rt, NULL) == 0);
	printf("sigtimedwait: took a pending SIGUSR2, then two queued SIGRTMIN in order\n");
}

/* A signal of the set that another thread sends later ends the wait. */
static void check_sigtimedwait_woken(void)
{
	sigset_t usr2 = set_of(SIGUSR2);
	struct timespec limit = { 10, 0 };
	struct sender s;
	siginfo_t si;

	mask_only(SIGUSR2);
	usr2_handled = 0;
	sender_start(&s, SIGUSR2, 20, 0);
	EXPECT(sigtimedwait(&usr2, &si, &limit) == SIGUSR2);
	EXPECT(si.si_signo == SIGUSR2 && (si.si_code == SI_TKILL || si.si_code == SI_USER));
	EXPECT(usr2_handled == 0);
	sender_stop(&s);
	printf("sigtimedwait: woken by another thread's SIGUSR2\n");
}

static void check_sigtimedwait_timeout(void)
{
	sigset_t usr2 = set_of(SIGUSR2);
	struct timespec wait = { 0, 50 * MS }, zero = { 0, 0 }, bad = { 0, 1000000000 };
	int64_t t0, waited;

	mask_only(SIGUSR2);
	EXPECT(sigtimedwait(&usr2, NULL, &zero) == -1 && errno == EAGAIN);
	EXPECT(sigtimedwait(&usr2, NULL, &bad) == -1 && errno == EINVAL);
	t0 = now_ns(CLOCK_MONOTONIC);
	EXPECT(sigtimedwait(&usr2, NULL, &wait) == -1 && errno == EAGAIN);
	waited = now_ns(CLOCK_MONOTONIC) - t0;
	printf("sigtimedwait: 50 ms timeout after %lld ms\n", (long long)(waited / MS));
	EXPECT(waited >= 50 * MS && waited < 5000 * MS);
}

/* A signal outside the set, with a handler, ends the wait with EINTR. It
 * is sent again and again, so that one comes while the call waits. */
static void check_sigtimedwait_interrupted(void)
{
	sigset_t usr2 = set_of(SIGUSR2);
	struct timespec limit = { 10, 0 };
	struct sender s;
	int64_t t0 = now_ns(CLOCK_MONOTONIC);

	set_handler(SIGUSR1, on_usr1);
	mask_only(SIGUSR2);
	handled = 0;
	sender_start(&s, SIGUSR1, 10, 1);
	EXPECT(sigtimedwait(&usr2, NULL, &limit) == -1 && errno == EINTR);
	EXPECT(handled >= 1);
	EXPECT(now_ns(CLOCK_MONOTONIC) - t0 < 5000 * MS);
	sender_stop(&s);
	printf("sigtimedwait: a SIGUSR1 handler interrupted it: EINTR\n");
}

static int64_t tv_ns(struct timeval tv)
{
	return tv.tv_sec * 1000000000ll + tv.tv_usec * 1000ll;
}

static int64_t rusage_ns(int who)
{
	struct rusage ru;

	EXPECT(getrusage(who, &ru) == 0);
	return tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime);
}

static void check_cpu_time(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	int64_t self0 = rusage_ns(RUSAGE_SELF), thread0 = rusage_ns(RUSAGE_THREAD), start, self,
		thread;
	struct tms m0, m1;
	clock_t c0 = times(&m0), c1, ticks;
	struct rusage ru;

	EXPECT(hz > 0 && c0 != (clock_t)-1);
	start = now_ns(CLOCK_THREAD_CPUTIME_ID);
	while (now_ns(CLOCK_THREAD_CPUTIME_ID) - start < SPIN_NS)
		;
	c1 = times(&m1);
	self = rusage_ns(RUSAGE_SELF) - self0;
	thread = rusage_ns(RUSAGE_THREAD) - thread0;
	ticks = (m1.tms_utime + m1.tms_stime) - (m0.tms_utime + m0.tms_stime);
	printf("spun %lld ms: getrusage self +%lld ms, thread +%lld ms; times +%ld ticks of "
	       "CPU, +%ld elapsed (%ld Hz)\n",
	       SPIN_NS / MS, (long long)(self / MS), (long long)(thread / MS), (long)ticks,
	       (long)(c1 - c0), hz);
	EXPECT(self >= SPIN_NS / 2 && thread >= SPIN_NS / 2);
	EXPECT(ticks >= SPIN_NS / 2 * hz / 1000000000ll);
	EXPECT(c1 - c0 >= SPIN_NS / 2 * hz / 1000000000ll);
	EXPECT(getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > 0);
	EXPECT(getrusage(RUSAGE_CHILDREN, &ru) == 0 && tv_ns(ru.ru_utime) == 0);
	EXPECT(getrusage(7, &ru) == -1 && errno == EINVAL);
}

int main(void)
{
	check_sigsuspend_woken();
	check_sigsuspend_pending();
	check_pause_woken();
	check_sigtimedwait_pending();
	check_sigtimedwait_woken();
	check_sigtimedwait_timeout();
	check_sigtimedwait_interrupted();
	check_cpu_time();
	test_pass("sigwait");
	return 0;
}

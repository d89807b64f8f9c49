// SPDX-License-Identifier: GPL-2.0-only
/*
 * ppoll, pselect and epoll_pwait wait under the signal mask they are
 * given, as on Linux: a signal that the mask unblocks interrupts the wait
 * (its handler runs under that mask, the call fails with EINTR, and the old
 * mask is back afterwards); a signal that the mask blocks does not, and is
 * delivered once the call has returned. On the LWK these calls go to the
 * proxy, so they need one (lwkctl bare runs skip it). glibc only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>
#include "lwk_test.h"
#include "sig_test.h"

enum call { PPOLL, PSELECT, EPOLL_PWAIT };
static const char *const call_names[] = { "ppoll", "pselect", "epoll_pwait" };

static volatile sig_atomic_t handled, usr2_blocked_in_handler;
static int epfd = -1;

static int64_t now_ns(void)
{
	struct timespec ts;

	EXPECT(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void on_usr1(int sig)
{
	handled++;
	usr2_blocked_in_handler = is_blocked(SIGUSR2);
}

/* Sends SIGUSR1 to the main thread every @period_ms until stopped (or
 * once). */
struct sender {
	pthread_t target, thread;
	int period_ms, repeat, stop;
};

static void *send_loop(void *arg)
{
	struct sender *s = arg;

	do {
		sleep_ms(s->period_ms);
		EXPECT(pthread_kill(s->target, SIGUSR1) == 0);
	} while (s->repeat && !__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE));
	return NULL;
}

static void sender_start(struct sender *s, int period_ms, int repeat)
{
	*s = (struct sender){ .target = pthread_self(), .period_ms = period_ms, .repeat = repeat };
	EXPECT(pthread_create(&s->thread, NULL, send_loop, s) == 0);
}

static void sender_stop(struct sender *s)
{
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	EXPECT(pthread_join(s->thread, NULL) == 0);
}

/* Wait on nothing for @ms under @mask; the call's result. */
static int wait_masked(enum call c, int ms, const sigset_t *mask)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * MS };
	struct epoll_event ev;

	switch (c) {
	case PPOLL:
		return ppoll(NULL, 0, &ts, mask);
	case PSELECT:
		return pselect(0, NULL, NULL, NULL, &ts, mask);
	case EPOLL_PWAIT:
		return epoll_pwait(epfd, &ev, 1, ms, mask);
	}
	return -1;
}

/* SIGUSR1, blocked by the thread, is unblocked by the call's mask: it
 * interrupts the call, its handler runs under that mask (SIGUSR2 blocked),
 * and the thread's own mask is back afterwards. */
static void check_mask_unblocks(enum call c)
{
	sigset_t mask = set_of(SIGUSR2);
	struct sender s;
	int64_t t0 = now_ns();
	int ret;

	mask_only(SIGUSR1);
	handled = 0;
	usr2_blocked_in_handler = 0;
	sender_start(&s, 10, 1);
	errno = 0;
	ret = wait_masked(c, 10000, &mask);
	EXPECT(ret == -1 && errno == EINTR);
	EXPECT(now_ns() - t0 < 5000 * MS);
	EXPECT(handled >= 1 && usr2_blocked_in_handler);
	EXPECT(is_blocked(SIGUSR1) && !is_blocked(SIGUSR2));
	sender_stop(&s);
}

/* SIGUSR1, not blocked by the thread, is blocked by the call's mask: the
 * call times out undisturbed, and the signal is delivered after it. */
static void check_mask_blocks(enum call c)
{
	sigset_t mask = set_of(SIGUSR1);
	struct sender s;
	int ret;

	mask_only(0);
	handled = 0;
	sender_start(&s, 20, 0);
	ret = wait_masked(c, 300, &mask);
	EXPECT(ret == 0);
	sender_stop(&s); /* a late sender is no failure: it only proves less */
	EXPECT(handled == 1 && !is_blocked(SIGUSR1));
}

int main(void)
{
	struct timespec zero = { 0, 0 };
	struct sigaction sa;

	/* Without a proxy (lwkctl bare) ppoll is ENOSYS: run.sh skips this
	 * program there, and anywhere else ENOSYS is a failure. */
	EXPECT(ppoll(NULL, 0, &zero, NULL) == 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	EXPECT(sigaction(SIGUSR1, &sa, NULL) == 0);
	epfd = epoll_create1(0);
	EXPECT(epfd >= 0);
	for (enum call c = PPOLL; c <= EPOLL_PWAIT; c++) {
		check_mask_unblocks(c);
		check_mask_blocks(c);
		printf("%s: a signal its mask unblocks interrupts it, one it blocks waits\n",
		       call_names[c]);
	}
	EXPECT(close(epfd) == 0);
	test_pass("pwait_mask");
	return 0;
}

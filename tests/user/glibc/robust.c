// SPDX-License-Identifier: GPL-2.0-only
/*
 * Robust mutexes: a thread that ends while holding one leaves it to the
 * next locker with EOWNERDEAD. The kernel does that work at thread exit,
 * walking the list glibc registered with set_robust_list: it marks the
 * lock word FUTEX_OWNER_DIED and wakes a waiter. Two cases: nobody waits
 * when the owner dies, and a waiter is blocked in the kernel on the lock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include "lwk_test.h"

static pthread_mutex_t m1, m2;
static atomic_int m2_held;

static void robust_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;

	EXPECT(pthread_mutexattr_init(&a) == 0);
	EXPECT(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) == 0);
	EXPECT(pthread_mutex_init(m, &a) == 0);
	pthread_mutexattr_destroy(&a);
}

static void *take_and_leave(void *arg)
{
	EXPECT(pthread_mutex_lock(&m1) == 0);
	return arg; /* ends holding m1 */
}

static void *take_and_leave_later(void *arg)
{
	struct timespec ms20 = { 0, 20 * 1000 * 1000 };

	EXPECT(pthread_mutex_lock(&m2) == 0);
	atomic_store(&m2_held, 1);
	nanosleep(&ms20, NULL); /* main blocks on m2 meanwhile */
	return arg;		/* ends holding m2 */
}

/* The lock came back with EOWNERDEAD: make it consistent, and it works
 * as a lock again. */
static void recover(pthread_mutex_t *m, int got)
{
	EXPECT(got == EOWNERDEAD);
	EXPECT(pthread_mutex_consistent(m) == 0);
	EXPECT(pthread_mutex_unlock(m) == 0);
	EXPECT(pthread_mutex_lock(m) == 0);
	EXPECT(pthread_mutex_unlock(m) == 0);
}

int main(void)
{
	pthread_t t;

	robust_init(&m1);
	robust_init(&m2);

	EXPECT(pthread_create(&t, NULL, take_and_leave, NULL) == 0);
	EXPECT(pthread_join(t, NULL) == 0);
	recover(&m1, pthread_mutex_lock(&m1));
	printf("owner ended before the lock: EOWNERDEAD, recovered\n");

	EXPECT(pthread_create(&t, NULL, take_and_leave_later, NULL) == 0);
	while (!atomic_load(&m2_held))
		sched_yield();
	recover(&m2, pthread_mutex_lock(&m2)); /* blocks until the owner ends */
	EXPECT(pthread_join(t, NULL) == 0);
	printf("owner ended while we waited: woken with EOWNERDEAD, recovered\n");
	test_pass("robust");
	return 0;
}

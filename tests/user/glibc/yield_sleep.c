// SPDX-License-Identifier: GPL-2.0-only
/*
 * A sleeper wakes on time even when its core never goes idle: main sleeps
 * 10 ms while threads that share its core (with one thread per core more
 * than the cores, one always does on the LWK) spin on sched_yield until
 * main wakes. A kernel that checks deadlines only in its idle loop never
 * wakes main, and the test hangs.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include "lwk_test.h"

#define MAX_THREADS 64

static atomic_int done;

static void *yielder(void *arg)
{
	while (!atomic_load(&done))
		sched_yield();
	return arg;
}

int main(void)
{
	struct timespec ms10 = { 0, 10 * 1000 * 1000 };
	pthread_t t[MAX_THREADS];
	cpu_set_t set;
	int n;

	EXPECT(sched_getaffinity(0, sizeof(set), &set) == 0);
	n = CPU_COUNT(&set) < MAX_THREADS ? CPU_COUNT(&set) : MAX_THREADS;
	for (int i = 0; i < n; i++)
		EXPECT(pthread_create(&t[i], NULL, yielder, NULL) == 0);
	EXPECT(nanosleep(&ms10, NULL) == 0);
	atomic_store(&done, 1);
	for (int i = 0; i < n; i++)
		EXPECT(pthread_join(t[i], NULL) == 0);
	printf("slept 10 ms beside %d threads that only yield\n", n);
	test_pass("yield_sleep");
	return 0;
}

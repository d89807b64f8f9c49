// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPU-time clocks count the time a thread ran, not its age. A worker spins
 * until its own CLOCK_THREAD_CPUTIME_ID shows 50 ms while main waits for
 * it in pthread_join: main's thread clock must stay below the worker's
 * 50 ms (it was blocked), and the process clock must include the worker's
 * time, also after the worker has ended, yet not exceed what two threads
 * can run in the wall time that passed.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "lwk_test.h"

#define SPIN_NS 50000000ll

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	EXPECT(clock_gettime(clk, &ts) == 0);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void *spin(void *arg)
{
	int64_t start = now_ns(CLOCK_THREAD_CPUTIME_ID);

	while (now_ns(CLOCK_THREAD_CPUTIME_ID) - start < SPIN_NS)
		;
	return arg;
}

int main(void)
{
	int64_t main0 = now_ns(CLOCK_THREAD_CPUTIME_ID), proc0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	int64_t wall0 = now_ns(CLOCK_MONOTONIC), main_ran, proc_ran, wall;
	pthread_t t;

	EXPECT(pthread_create(&t, NULL, spin, NULL) == 0);
	EXPECT(pthread_join(t, NULL) == 0);
	main_ran = now_ns(CLOCK_THREAD_CPUTIME_ID) - main0;
	proc_ran = now_ns(CLOCK_PROCESS_CPUTIME_ID) - proc0;
	wall = now_ns(CLOCK_MONOTONIC) - wall0;
	printf("worker spun %lld ms of its CPU time; main ran %lld us meanwhile; process %lld ms\n",
	       SPIN_NS / 1000000, (long long)(main_ran / 1000), (long long)(proc_ran / 1000000));
	EXPECT(main_ran < SPIN_NS);
	EXPECT(proc_ran >= SPIN_NS);
	EXPECT(proc_ran <= 2 * wall);
	test_pass("cputime");
	return 0;
}

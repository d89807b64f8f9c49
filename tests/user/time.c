// SPDX-License-Identifier: GPL-2.0-only
/*
 * CLOCK_MONOTONIC never goes backwards, and nanosleep() sleeps at least as
 * long as asked but not much longer. A loaded host may oversleep: up to
 * 50 ms passes for a 10 ms sleep, but every figure is printed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "lwk_test.h"

#define NSEC_PER_SEC 1000000000ll
#define NSEC_PER_MSEC 1000000ll

static int64_t now_ns(void)
{
	struct timespec ts;

	EXPECT(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	EXPECT(ts.tv_nsec >= 0 && ts.tv_nsec < NSEC_PER_SEC);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void check_monotonic(void)
{
	int64_t first = now_ns(), prev = first, t;

	for (int i = 0; i < 100000; i++) {
		t = now_ns();
		EXPECT(t >= prev);
		prev = t;
	}
	printf("100000 clock_gettime(CLOCK_MONOTONIC) in %lld us\n",
	       (long long)(prev - first) / 1000);
}

static void check_sleep(void)
{
	struct timespec req = { 0, 10 * NSEC_PER_MSEC };

	for (int i = 0; i < 5; i++) {
		int64_t start = now_ns(), slept;

		EXPECT(nanosleep(&req, NULL) == 0);
		slept = now_ns() - start;
		printf("nanosleep(10 ms) slept %lld.%03lld ms%s\n",
		       (long long)slept / NSEC_PER_MSEC, (long long)(slept % NSEC_PER_MSEC) / 1000,
		       slept > 15 * NSEC_PER_MSEC ? " (over 15 ms: loaded host?)" : "");
		EXPECT(slept >= 10 * NSEC_PER_MSEC);
		/* It ends on its own timer, not at some later event; how soon
		 * is the host's business (a loaded host stalls an emulated
		 * core for tens of ms), so the bound is loose. */
		EXPECT(slept <= 1000 * NSEC_PER_MSEC);
	}
}

static void check_errors(void)
{
	struct timespec bad = { 0, NSEC_PER_SEC }, ts;

	errno = 0;
	EXPECT(nanosleep(&bad, NULL) == -1 && errno == EINVAL);
	errno = 0;
	EXPECT(clock_gettime(12345, &ts) == -1 && errno == EINVAL);
	EXPECT(clock_gettime(CLOCK_REALTIME, &ts) == 0);
}

int main(void)
{
	check_monotonic();
	check_sleep();
	check_errors();
	test_pass("time");
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * spin MS: a loop with no system call for about MS milliseconds (the TSC
 * rate is measured first against CLOCK_MONOTONIC, over 20 ms), for
 * counting the interrupts a core takes while a program only computes.
 * Runs the same on a Linux core and, under lwkexec, on an LWK core.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <x86intrin.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	uint64_t ms = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000, t0, c0, t1, until;
	volatile uint64_t n = 0;

	t0 = now_ns();
	c0 = __rdtsc();
	while ((t1 = now_ns()) - t0 < 20000000)
		;
	/* ticks per ms = (tsc delta) / (ns delta) * 1e6 */
	until =
	    __rdtsc() + (uint64_t)((double)(__rdtsc() - c0) / (double)(t1 - t0) * 1e6 * (double)ms);
	while (__rdtsc() < until)
		n++;
	printf("spin: %llu ms, %llu loops\n", (unsigned long long)ms, (unsigned long long)n);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * For lwkctl trace (tests/vm/trace.sh): a few system calls, then a window
 * of pure computation with no system call, then the window's TSC bounds
 * on stdout ("window T0 T1") and exit. Traced, its core must show the
 * calls before and after, and no kernel entry at all inside the window.
 *   quiet_window [ITERATIONS]   the window's length (default 100000000)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000000ul;
	static volatile unsigned long spins;
	uint64_t t0, t1;

	printf("pid %d: quiet window of %lu iterations\n", getpid(), n);
	fflush(stdout);
	t0 = rdtsc();
	for (unsigned long i = 0; i < n; i++)
		spins++;
	t1 = rdtsc();
	printf("window %llu %llu\n", (unsigned long long)t0, (unsigned long long)t1);
	return 0;
}

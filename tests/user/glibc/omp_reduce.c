// SPDX-License-Identifier: GPL-2.0-only
/*
 * OpenMP (libgomp on pthreads): a team of exactly four threads really runs,
 * and a parallel sum reduction over 1..10,000,000 gives the exact result.
 * Where each OpenMP thread ran is printed: libgomp's own pinning and the
 * kernel's placement both show up there.
 */
#define _GNU_SOURCE
#include <omp.h>
#include <sched.h>
#include <stdio.h>
#include "lwk_test.h"

#define NR_THREADS 4
#define LAST 10000000ll
#define EXPECTED_SUM 50000005000000ll

/* volatile: the bound must come from memory, or the compiler could fold
 * the whole loop into its closed form and test nothing. */
static volatile long long last = LAST;

static void check_team(void)
{
	int cpus[NR_THREADS], seen[NR_THREADS] = { 0 }, started = 0, team = 0;

#pragma omp parallel
	{
		int me = omp_get_thread_num();

		__atomic_fetch_add(&started, 1, __ATOMIC_RELAXED);
#pragma omp single
		team = omp_get_num_threads();
		if (me >= 0 && me < NR_THREADS) {
			seen[me]++;
			cpus[me] = sched_getcpu();
		}
	}
	printf("parallel region: %d threads started, team of %d\n", started, team);
	EXPECT(started == NR_THREADS);
	EXPECT(team == NR_THREADS);
	for (int i = 0; i < NR_THREADS; i++) {
		printf("OpenMP thread %d ran on CPU %d\n", i, cpus[i]);
		EXPECT(seen[i] == 1);
		EXPECT(cpus[i] >= 0);
	}
}

static void check_reduction(void)
{
	long long sum = 0, n = last;
	int chunks = 0;

#pragma omp parallel for reduction(+ : sum) reduction(+ : chunks) schedule(static)
	for (long long i = 1; i <= n; i++) {
		sum += i;
		if (i % 1000000 == 0)
			chunks++;
	}
	printf("sum of 1..%lld = %lld (expected %lld)\n", n, sum, EXPECTED_SUM);
	EXPECT(sum == EXPECTED_SUM);
	EXPECT(chunks == 10);
}

int main(void)
{
	EXPECT(omp_get_max_threads() >= 1);
	/* No dynamic adjustment: a smaller team than asked would be a pass
	 * for OpenMP but a failure to start threads for this test. */
	omp_set_dynamic(0);
	omp_set_num_threads(NR_THREADS);
	EXPECT(omp_get_max_threads() == NR_THREADS);
	check_team();
	check_reduction();
	test_pass("omp_reduce");
	return 0;
}

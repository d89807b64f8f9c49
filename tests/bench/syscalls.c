// SPDX-License-Identifier: GPL-2.0-only
/*
 * Micro-benchmarks of the kernel paths a program leans on, in TSC cycles:
 * a local null syscall (getpid), a null syscall the LWK forwards to its
 * proxy on Linux (getppid; skipped where it answers -ENOSYS, as in bare
 * mode), a futex wake/wait ping-pong between two threads on different
 * cores, thread create+join, and a call that blocks on Linux for 200 us
 * (ppoll with no fds: forwarded on the LWK, whose core halts meanwhile
 * and is woken by the proxy's ring beside Linux). The same binary runs
 * on Linux and on the
 * LWK, so the two can be compared in one run. Prints
 * "bench NAME median=N p99=N median_ns=N p99_ns=N" lines per operation;
 * nanoseconds come from the TSC rate measured against CLOCK_MONOTONIC.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define SAMPLES 2001

static uint64_t samples[SAMPLES];
static double tsc_per_ns;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* TSC ticks per nanosecond, over 50 ms. */
static void tsc_calibrate(void)
{
	uint64_t t0 = now_ns(), c0 = __rdtsc(), t1;

	while ((t1 = now_ns()) - t0 < 50000000)
		;
	tsc_per_ns = (double)(__rdtsc() - c0) / (double)(t1 - t0);
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The first @n samples. */
static void report_n(const char *name, unsigned int per, unsigned int n)
{
	uint64_t median, p99;

	qsort(samples, n, sizeof(samples[0]), cmp);
	median = samples[n / 2] / per;
	p99 = samples[n * 99 / 100] / per;
	printf("bench %s median=%llu p99=%llu median_ns=%.0f p99_ns=%.0f\n", name,
	       (unsigned long long)median, (unsigned long long)p99, median / tsc_per_ns,
	       p99 / tsc_per_ns);
}

static void report(const char *name, unsigned int per)
{
	report_n(name, per, SAMPLES);
}

static void bench_getpid(void)
{
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = __rdtsc();

		for (int j = 0; j < 10; j++)
			syscall(SYS_getpid);
		samples[i] = __rdtsc() - t0;
	}
	report("getpid", 10);
}

static void bench_getppid(void)
{
	if (syscall(SYS_getppid) < 0)
		return; /* not served here (no proxy) */
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = __rdtsc();

		syscall(SYS_getppid);
		samples[i] = __rdtsc() - t0;
	}
	report("getppid", 1);
}

static volatile uint32_t turn; /* 0: main's turn, 1: the partner's */

static void futex_wait(volatile uint32_t *w, uint32_t val)
{
	while (*w == val)
		syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(volatile uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *partner(void *arg)
{
	for (int i = 0; i < SAMPLES; i++) {
		futex_wait(&turn, 0);
		turn = 0;
		futex_wake(&turn);
	}
	return arg;
}

static void bench_futex(void)
{
	pthread_t t;

	pthread_create(&t, NULL, partner, NULL);
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = __rdtsc();

		turn = 1;
		futex_wake(&turn);
		futex_wait(&turn, 1);
		samples[i] = __rdtsc() - t0;
	}
	pthread_join(t, NULL);
	report("futex_pingpong", 1);
}

static void *nothing(void *arg)
{
	return arg;
}

static void bench_thread(void)
{
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = __rdtsc();
		pthread_t t;

		pthread_create(&t, NULL, nothing, NULL);
		pthread_join(t, NULL);
		samples[i] = __rdtsc() - t0;
	}
	report("thread_create_join", 1);
}

/* ppoll for 200 us with no fds, with 1 us of timer slack (Linux's default
 * 50 us would dominate): what a short blocking call costs beyond its
 * wait. On the LWK the waiting thread blocks and its core halts; the
 * proxy's answer must wake it (LWK_IOC_RING beside Linux). */
#define BLOCK_SAMPLES 301
static void bench_block(void)
{
	struct timespec ts = { 0, 200000 };

	if (syscall(SYS_ppoll, NULL, 0, &ts, NULL, 8) < 0)
		return; /* not served here (no proxy) */
	prctl(PR_SET_TIMERSLACK, 1000ul, 0, 0, 0);
	for (int i = 0; i < BLOCK_SAMPLES; i++) {
		uint64_t t0 = __rdtsc();

		ts.tv_nsec = 200000; /* ppoll leaves what was left of it */
		syscall(SYS_ppoll, NULL, 0, &ts, NULL, 8);
		samples[i] = __rdtsc() - t0;
	}
	report_n("ppoll_200us", 1, BLOCK_SAMPLES);
}

int main(void)
{
	tsc_calibrate();
	bench_getpid();
	bench_getppid();
	bench_futex();
	bench_thread();
	bench_block();
	return 0;
}

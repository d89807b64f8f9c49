// SPDX-License-Identifier: GPL-2.0-only
/*
 * Micro-benchmarks of the kernel paths a program leans on, in TSC cycles:
 * a local null syscall (getpid), a futex wake/wait ping-pong between two
 * threads on different cores, and thread create+join. The same binary runs
 * on Linux and on the LWK, so the two can be compared in one run. Prints
 * "bench NAME median=N p99=N" lines (cycles per operation).
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

#define SAMPLES 2001

static uint64_t samples[SAMPLES];

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, unsigned int per)
{
	qsort(samples, SAMPLES, sizeof(samples[0]), cmp);
	printf("bench %s median=%llu p99=%llu\n", name,
	       (unsigned long long)(samples[SAMPLES / 2] / per),
	       (unsigned long long)(samples[SAMPLES * 99 / 100] / per));
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

int main(void)
{
	bench_getpid();
	bench_futex();
	bench_thread();
	return 0;
}

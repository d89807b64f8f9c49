// SPDX-License-Identifier: GPL-2.0-only
/*
 * Thread-local storage: each thread's block starts from the ELF TLS
 * template (initialised values copied, .tbss zeroed), lives at an address of
 * its own, keeps what its thread wrote while the other threads write theirs
 * and the threads are switched, and keeps the alignment the program asked
 * for. A kernel that loses %fs on a switch, or a clone that ignores
 * CLONE_SETTLS, shows up here as one thread seeing another's values.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "lwk_test.h"

#define NR_THREADS 4
#define ARRAY_WORDS 64
#define ROUNDS 50
#define MAIN_ID 99

__thread int tls_initialised = 0x1234567;
__thread long tls_zero;
static __thread unsigned tls_array[ARRAY_WORDS];
static __thread _Alignas(64) char tls_aligned[64] = "aligned";

static pthread_barrier_t barrier;
static uintptr_t addresses[NR_THREADS][3];

static void check_fresh(void)
{
	EXPECT(tls_initialised == 0x1234567);
	EXPECT(tls_zero == 0);
	for (int i = 0; i < ARRAY_WORDS; i++)
		EXPECT(tls_array[i] == 0);
	EXPECT(tls_aligned[0] == 'a' && tls_aligned[7] == '\0');
	EXPECT(((uintptr_t)tls_aligned & 63) == 0);
}

static unsigned pattern(int id, int i)
{
	return (unsigned)id * 0x01010101u ^ (unsigned)i * 0x9e3779b9u;
}

static void write_pattern(int id)
{
	tls_initialised = id;
	tls_zero = -(long)id;
	for (int i = 0; i < ARRAY_WORDS; i++)
		tls_array[i] = pattern(id, i);
	tls_aligned[1] = (char)id;
}

static void verify_pattern(int id)
{
	int ok = tls_initialised == id && tls_zero == -(long)id && tls_aligned[1] == (char)id;

	for (int i = 0; i < ARRAY_WORDS; i++)
		ok = ok && tls_array[i] == pattern(id, i);
	if (!ok)
		printf("thread %d: TLS now holds %d %ld %#x\n", id, tls_initialised, tls_zero,
		       tls_array[0]);
	EXPECT(ok);
}

/* Thread i writes pattern i + 1: none of them matches a fresh block. */
static void *thread_main(void *arg)
{
	int index = (int)(uintptr_t)arg, id = index + 1, ret;
	struct timespec ms = { 0, 1000000 };

	check_fresh();
	addresses[index][0] = (uintptr_t)&tls_initialised;
	addresses[index][1] = (uintptr_t)&tls_zero;
	addresses[index][2] = (uintptr_t)tls_array;
	write_pattern(id);
	/* Everyone has written before anyone checks. */
	ret = pthread_barrier_wait(&barrier);
	EXPECT(ret == 0 || ret == PTHREAD_BARRIER_SERIAL_THREAD);
	for (int r = 0; r < ROUNDS; r++) {
		if (r % 2)
			EXPECT(nanosleep(&ms, NULL) == 0);
		else
			EXPECT(sched_yield() == 0);
		/* Read the variables from memory again, not from registers. */
		__asm__ volatile("" ::: "memory");
		verify_pattern(id);
	}
	return NULL;
}

/* No two threads, the main one included, share a TLS variable. */
static void check_addresses(void)
{
	uintptr_t mine[3] = { (uintptr_t)&tls_initialised, (uintptr_t)&tls_zero,
			      (uintptr_t)tls_array };

	for (int v = 0; v < 3; v++)
		for (int i = 0; i < NR_THREADS; i++) {
			EXPECT(addresses[i][v] != mine[v]);
			for (int j = 0; j < i; j++)
				EXPECT(addresses[i][v] != addresses[j][v]);
		}
	for (int i = 0; i < NR_THREADS; i++)
		printf("thread %d: &tls_initialised %#lx\n", i, (unsigned long)addresses[i][0]);
	printf("main:     &tls_initialised %#lx\n", (unsigned long)mine[0]);
}

int main(void)
{
	pthread_t threads[NR_THREADS];

	check_fresh();
	write_pattern(MAIN_ID);
	EXPECT(pthread_barrier_init(&barrier, NULL, NR_THREADS) == 0);
	for (int i = 0; i < NR_THREADS; i++)
		EXPECT(pthread_create(&threads[i], NULL, thread_main, (void *)(uintptr_t)i) == 0);
	for (int i = 0; i < NR_THREADS; i++)
		EXPECT(pthread_join(threads[i], NULL) == 0);
	verify_pattern(MAIN_ID);
	check_addresses();
	EXPECT(pthread_barrier_destroy(&barrier) == 0);
	test_pass("tls");
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * User GS bases survive thread switches. Eight threads on fewer cores
 * share them and yield often; each points GS at a block of its own, first
 * with arch_prctl(ARCH_SET_GS), then (when AT_HWCAP2 says the kernel
 * enabled FSGSBASE) with WRGSBASE behind the kernel's back, and checks
 * through %gs:0 and ARCH_GET_GS that its base stays its own. A kernel that
 * assumes the base it last set, or forgets to save it, fails here.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "lwk_test.h"

#define NR_THREADS 8
#define ROUNDS 200
#define HWCAP2_FSGSBASE 2

struct block {
	struct block *self; /* %gs:0 */
	long id;
};

static struct block blocks[NR_THREADS][2];
static int fsgsbase;

static struct block *gs_block(void)
{
	struct block *b;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(b));
	return b;
}

static uintptr_t get_gs(void)
{
	uintptr_t v = 0;

	EXPECT(syscall(SYS_arch_prctl, ARCH_GET_GS, &v) == 0);
	return v;
}

static void check_rounds(struct block *b)
{
	for (int r = 0; r < ROUNDS; r++) {
		sched_yield();
		EXPECT(gs_block() == b);
		EXPECT(get_gs() == (uintptr_t)b);
	}
}

static void *worker(void *arg)
{
	long id = (long)arg;
	struct block *b = &blocks[id][0];

	b->self = b;
	EXPECT(syscall(SYS_arch_prctl, ARCH_SET_GS, b) == 0);
	check_rounds(b);
	if (fsgsbase) {
		b = &blocks[id][1];
		b->self = b;
		__asm__ volatile("wrgsbase %0" : : "r"(b) : "memory");
		check_rounds(b);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[NR_THREADS];

	fsgsbase = !!(getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE);
	for (long i = 0; i < NR_THREADS; i++)
		EXPECT(pthread_create(&t[i], NULL, worker, (void *)i) == 0);
	for (int i = 0; i < NR_THREADS; i++)
		EXPECT(pthread_join(t[i], NULL) == 0);
	printf("GS bases kept by %d threads over %d yields each (FSGSBASE %s)\n", NR_THREADS,
	       ROUNDS * (fsgsbase ? 2 : 1), fsgsbase ? "on, WRGSBASE tested" : "off");
	test_pass("gsbase");
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Corners of the memory and affinity calls that glibc programs reach:
 * madvise refuses advice Linux does not know and accepts what is only
 * advice; mremap with MREMAP_FIXED moves a mapping to a chosen address with
 * its contents; and the affinity of a thread named by its TID (what
 * pthread_getaffinity_np asks) is the process's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lwk_test.h"

#define PAGE 4096

static unsigned char *map(size_t pages)
{
	void *p =
	    mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	EXPECT(p != MAP_FAILED);
	return p;
}

static void check_madvise(void)
{
	unsigned char *p = map(2);

	memset(p, 0x5a, 2 * PAGE);
	EXPECT(madvise(p, 2 * PAGE, MADV_WILLNEED) == 0);
	EXPECT(madvise(p, 2 * PAGE, MADV_RANDOM) == 0);
	EXPECT(p[0] == 0x5a && p[2 * PAGE - 1] == 0x5a); /* advice keeps contents */
	errno = 0;
	EXPECT(madvise(p, 2 * PAGE, 999) == -1 && errno == EINVAL);
	EXPECT(madvise(p, 2 * PAGE, MADV_DONTNEED) == 0);
	EXPECT(p[0] == 0 && p[2 * PAGE - 1] == 0);
	munmap(p, 2 * PAGE);
}

static void check_mremap_fixed(void)
{
	unsigned char *from = map(2), *to = map(8), *got;

	memset(from, 0xa5, 2 * PAGE);
	memset(to, 0x11, 8 * PAGE);
	got = mremap(from, 2 * PAGE, 3 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, to + 4 * PAGE);
	EXPECT(got == to + 4 * PAGE);
	EXPECT(got[0] == 0xa5 && got[2 * PAGE - 1] == 0xa5);
	EXPECT(got[2 * PAGE] == 0 && got[3 * PAGE - 1] == 0);	  /* the grown part */
	EXPECT(to[4 * PAGE - 1] == 0x11 && to[7 * PAGE] == 0x11); /* neighbours kept */
	errno = 0; /* FIXED without MAYMOVE is refused */
	EXPECT(mremap(got, PAGE, PAGE, MREMAP_FIXED, to) == MAP_FAILED && errno == EINVAL);
	munmap(to, 8 * PAGE);
}

static atomic_int checked;

/* Stays alive until main has asked about it. */
static void *wait_checked(void *arg)
{
	while (!atomic_load(&checked))
		sched_yield();
	return arg;
}

static void check_thread_affinity(void)
{
	cpu_set_t proc, thr;
	pthread_t t;

	EXPECT(sched_getaffinity(0, sizeof(proc), &proc) == 0);
	EXPECT(sched_getaffinity(gettid(), sizeof(thr), &thr) == 0);
	EXPECT(CPU_EQUAL(&proc, &thr));
	EXPECT(CPU_COUNT(&proc) >= 1);
	EXPECT(pthread_create(&t, NULL, wait_checked, NULL) == 0);
	CPU_ZERO(&thr);
	EXPECT(pthread_getaffinity_np(t, sizeof(thr), &thr) == 0);
	EXPECT(CPU_EQUAL(&proc, &thr));
	atomic_store(&checked, 1);
	EXPECT(pthread_join(t, NULL) == 0);
}

int main(void)
{
	check_madvise();
	check_mremap_fixed();
	check_thread_affinity();
	test_pass("mem_calls");
	return 0;
}

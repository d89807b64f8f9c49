// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of the buddy allocator. "Physical memory" is one anonymous
 * MAP_NORESERVE mapping of 1 GiB + 16 MiB at fake physical 1 GiB, so only
 * the pages the allocator and the tests touch cost anything.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <lwk/arch.h>
#include <lwk/errno.h>
#include <lwk/pmem.h>
#include "fake_arch.h"
#include "htest.h"

#define FAKE_BASE GiB(1)
#define FAKE_SIZE (GiB(1) + MiB(16))
/* 263168 frames, 577 of them bookkeeping (9 bytes a frame): 1 GiB + 447
 * frames usable. */
#define BIG_SIZE (GiB(1) + MiB(4))
#define BIG_USABLE (GiB(1) + 447 * KiB(4))

/* Fresh, zeroed fake memory and an empty allocator for each test. */
static void pmem_setup(void)
{
	fake_phys_fresh(FAKE_BASE, FAKE_SIZE);
	pmem_reset();
}

static paddr_t fake_pa(uint64_t offset)
{
	return pa_make(FAKE_BASE + offset);
}

static bool overlaps(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize)
{
	return a < b + bsize && b < a + asize;
}

/* Run @fn in a child and report whether it died by panic() -> abort(). */
static bool panics(void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDERR_FILENO);
		fn();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

HTEST(pmem, every_shift_is_aligned)
{
	paddr_t got[PMEM_SHIFT_1G + 1];
	paddr_t p;

	pmem_setup();
	EXPECT_EQ(pmem_add(fake_pa(0), BIG_SIZE), 0);
	for (unsigned int s = PMEM_SHIFT_4K; s < PMEM_SHIFT_1G; s++) {
		EXPECT_EQ(pmem_alloc(s, &got[s]), 0);
		EXPECT(IS_ALIGNED(pa_addr(got[s]), 1ull << s));
		EXPECT(pa_addr(got[s]) >= FAKE_BASE);
		EXPECT(pa_addr(got[s]) + (1ull << s) <= FAKE_BASE + BIG_USABLE);
		for (unsigned int t = PMEM_SHIFT_4K; t < s; t++)
			EXPECT(!overlaps(pa_addr(got[s]), 1ull << s, pa_addr(got[t]), 1ull << t));
	}
	/* The 1 GiB block was split for the 512 MiB frame. */
	EXPECT_EQ(pmem_alloc(PMEM_SHIFT_1G, &p), -ENOMEM);
	for (unsigned int s = PMEM_SHIFT_4K; s < PMEM_SHIFT_1G; s++)
		pmem_free(got[s], s);
	EXPECT_EQ(pmem_alloc(PMEM_SHIFT_1G, &p), 0);
	EXPECT_EQ(pa_addr(p), FAKE_BASE);
}

HTEST(pmem, gib_frame_from_aligned_range)
{
	paddr_t p;

	pmem_setup();
	EXPECT_EQ(pmem_add(fake_pa(0), BIG_SIZE), 0);
	EXPECT_EQ(pmem_total_bytes(), BIG_USABLE);
	EXPECT_EQ(pmem_largest_free(), GiB(1));
	EXPECT_EQ(pmem_alloc(PMEM_SHIFT_1G, &p), 0);
	EXPECT_EQ(pa_addr(p), FAKE_BASE);
	EXPECT_EQ(pmem_free_bytes(), BIG_USABLE - GiB(1));
	EXPECT_EQ(pmem_largest_free(), MiB(1));
	EXPECT_EQ(pmem_alloc(PMEM_SHIFT_1G, &p), -ENOMEM);
}

HTEST(pmem, unaligned_edges_trimmed)
{
	paddr_t p, first = pa_make(0), last = pa_make(0);
	unsigned int n = 0;

	pmem_setup();
	/* Inline map: frames 1..15 of the first 64 KiB. */
	EXPECT_EQ(pmem_add(fake_pa(0x123), KiB(64)), 0);
	EXPECT_EQ(pmem_total_bytes(), 15 * KiB(4));
	pmem_reset();
	/* 2047 whole frames, five of them carved for the bookkeeping. */
	EXPECT_EQ(pmem_add(fake_pa(0x800), MiB(8)), 0);
	EXPECT_EQ(pmem_total_bytes(), 2042 * KiB(4));
	while (pmem_alloc(PMEM_SHIFT_4K, &p) == 0) {
		if (n++ == 0)
			first = p;
		if (pa_addr(p) > pa_addr(last))
			last = p;
	}
	EXPECT_EQ(n, 2042);
	EXPECT_EQ(pa_addr(first), FAKE_BASE + KiB(4));
	EXPECT_EQ(pa_addr(last), FAKE_BASE + MiB(8) - 6 * KiB(4));
}

HTEST(pmem, exhaustion_gives_enomem)
{
	paddr_t p;
	unsigned int n = 0;

	pmem_setup();
	EXPECT_EQ(pmem_add(fake_pa(0), MiB(1)), 0); /* 255 frames usable */
	EXPECT_EQ(pmem_largest_free(), KiB(512));
	EXPECT_EQ(pmem_alloc(20, &p), -ENOMEM);
	while (pmem_alloc(PMEM_SHIFT_4K, &p) == 0)
		n++;
	EXPECT_EQ(n, 255);
	EXPECT_EQ(pmem_alloc(PMEM_SHIFT_4K, &p), -ENOMEM);
	EXPECT_EQ(pmem_free_bytes(), 0);
	EXPECT_EQ(pmem_largest_free(), 0);
}

HTEST(pmem, free_bytes_accounting)
{
	paddr_t a, b, c;

	pmem_setup();
	EXPECT_EQ(pmem_add(fake_pa(0), BIG_SIZE), 0);
	EXPECT_EQ(pmem_free_bytes(), BIG_USABLE);
	EXPECT_EQ(pmem_alloc(PMEM_SHIFT_2M, &a), 0);
	EXPECT_EQ(pmem_free_bytes(), BIG_USABLE - MiB(2));
	EXPECT_EQ(pmem_largest_free(), MiB(512));
	EXPECT_EQ(pmem_alloc(PMEM_SHIFT_4K, &b), 0);
	EXPECT_EQ(pmem_alloc(16, &c), 0);
	EXPECT_EQ(pmem_free_bytes(), BIG_USABLE - MiB(2) - KiB(4) - KiB(64));
	pmem_free(a, PMEM_SHIFT_2M);
	EXPECT_EQ(pmem_free_bytes(), BIG_USABLE - KiB(4) - KiB(64));
	pmem_free(c, 16);
	pmem_free(b, PMEM_SHIFT_4K);
	EXPECT_EQ(pmem_free_bytes(), BIG_USABLE);
	EXPECT_EQ(pmem_largest_free(), GiB(1));
	EXPECT_EQ(pmem_total_bytes(), BIG_USABLE);
}

/* Allocate every frame, scribble over all of it (including bytes that look
 * like map entries), then free: the map must be out of reach and intact. */
HTEST(pmem, never_in_metadata)
{
	static paddr_t got[2048];
	unsigned int n = 0, outside = 0;

	pmem_setup();
	/* 2053 frames, 5 of them bookkeeping. */
	EXPECT_EQ(pmem_add(fake_pa(0), MiB(8) + KiB(20) + 0x234), 0);
	EXPECT_EQ(pmem_total_bytes(), MiB(8));
	while (n < 2048 && pmem_alloc(PMEM_SHIFT_4K, &got[n]) == 0) {
		if (pa_addr(got[n]) >= FAKE_BASE + MiB(8))
			outside++;
		memset(arch_phys_to_virt(got[n]), 0xc5, KiB(4));
		n++;
	}
	EXPECT_EQ(n, 2048);
	EXPECT_EQ(outside, 0);
	EXPECT_EQ(pmem_alloc(PMEM_SHIFT_4K, &got[0]), -ENOMEM);
	for (unsigned int i = 0; i < n; i++)
		pmem_free(got[(i * 7) % n], PMEM_SHIFT_4K);
	EXPECT_EQ(pmem_free_bytes(), MiB(8));
	EXPECT_EQ(pmem_largest_free(), MiB(8));
}

/* Free memory may be written by anyone who had it mapped before (a proxy
 * that lost its process, a staging buffer written after the LWK took it
 * back): free blocks hold nothing the allocator needs. Scribble over all
 * of free memory between rounds of allocation; the accounting must stay
 * exact and everything must coalesce again. */
HTEST(pmem, free_memory_holds_no_bookkeeping)
{
	static paddr_t got[4096];
	unsigned int n, round;

	pmem_setup();
	EXPECT_EQ(pmem_add(fake_pa(0), MiB(8) + KiB(20)), 0);
	EXPECT_EQ(pmem_total_bytes(), MiB(8));
	for (round = 0; round < 4; round++) {
		/* Everything the allocator hands out lies in [0, 8 MiB); while
		 * it is all free, fill it with bytes that look like links. */
		memset(arch_phys_to_virt(fake_pa(0)), round & 1 ? 0xff : 0x00, MiB(8));
		for (n = 0; n < 4096; n++)
			if (pmem_alloc(n % 3 ? PMEM_SHIFT_4K : PMEM_SHIFT_4K + 3, &got[n]))
				break;
		EXPECT(n > 0);
		for (unsigned int i = 0; i < n; i += 2) /* free half, scribble, the rest */
			pmem_free(got[i], i % 3 ? PMEM_SHIFT_4K : PMEM_SHIFT_4K + 3);
		for (unsigned int i = 0; i < n; i += 2)
			memset(arch_phys_to_virt(got[i]), 0xa5, KiB(4));
		for (unsigned int i = 1; i < n; i += 2)
			pmem_free(got[i], i % 3 ? PMEM_SHIFT_4K : PMEM_SHIFT_4K + 3);
		EXPECT_EQ(pmem_free_bytes(), MiB(8));
		EXPECT_EQ(pmem_largest_free(), MiB(8));
	}
}

HTEST(pmem, bad_input_is_einval)
{
	paddr_t p = pa_make(0x1234);

	pmem_setup();
	EXPECT_EQ(pmem_alloc(11, &p), -EINVAL);
	EXPECT_EQ(pmem_alloc(31, &p), -EINVAL);
	EXPECT_EQ(pmem_alloc(0, &p), -EINVAL);
	EXPECT_EQ(pa_addr(p), 0x1234);
	EXPECT_EQ(pmem_add(fake_pa(0), 0), -EINVAL);
	EXPECT_EQ(pmem_add(fake_pa(0x100), 0x800), -EINVAL);
	EXPECT_EQ(pmem_add(fake_pa(0x100), 0x1000), -EINVAL);
	EXPECT_EQ(pmem_add(pa_make(UINT64_MAX - 0xfff), 0x2000), -EINVAL);
	EXPECT_EQ(pmem_add(fake_pa(0), MiB(1)), 0);
	EXPECT_EQ(pmem_add(fake_pa(KiB(512)), MiB(1)), -EINVAL);
	EXPECT_EQ(pmem_add(fake_pa(KiB(4)), KiB(4)), -EINVAL);
	EXPECT_EQ(pmem_add(fake_pa(0), MiB(4)), -EINVAL);
	/* The map at the tail is still part of the range. */
	EXPECT_EQ(pmem_add(fake_pa(MiB(1) - KiB(4)), KiB(8)), -EINVAL);
	EXPECT_EQ(pmem_total_bytes(), 255 * KiB(4));
	EXPECT_EQ(pmem_add(fake_pa(MiB(1)), MiB(1)), 0);
	EXPECT_EQ(pmem_total_bytes(), 2 * 255 * KiB(4));
}

HTEST(pmem, too_many_ranges_enospc)
{
	paddr_t p;
	unsigned int n = 0;

	pmem_setup();
	for (unsigned int i = 0; i < 64; i++)
		EXPECT_EQ(pmem_add(fake_pa(i * KiB(8)), KiB(4)), 0);
	EXPECT_EQ(pmem_add(fake_pa(MiB(1)), KiB(4)), -ENOSPC);
	EXPECT_EQ(pmem_total_bytes(), 64 * KiB(4));
	while (pmem_alloc(PMEM_SHIFT_4K, &p) == 0) {
		EXPECT_EQ(pa_addr(p), FAKE_BASE + n * KiB(8));
		n++;
	}
	EXPECT_EQ(n, 64);
	pmem_reset();
	EXPECT_EQ(pmem_total_bytes(), 0);
	EXPECT_EQ(pmem_largest_free(), 0);
	EXPECT_EQ(pmem_alloc(PMEM_SHIFT_4K, &p), -ENOMEM);
	EXPECT_EQ(pmem_add(fake_pa(MiB(1)), KiB(4)), 0);
}

HTEST(pmem, lowest_address_first)
{
	paddr_t p;

	pmem_setup();
	EXPECT_EQ(pmem_add(fake_pa(MiB(512)), KiB(64)), 0);
	EXPECT_EQ(pmem_add(fake_pa(0), KiB(64)), 0);
	for (unsigned int i = 0; i < 16; i++) {
		EXPECT_EQ(pmem_alloc(PMEM_SHIFT_4K, &p), 0);
		EXPECT_EQ(pa_addr(p), FAKE_BASE + i * KiB(4));
	}
	EXPECT_EQ(pmem_alloc(PMEM_SHIFT_4K, &p), 0);
	EXPECT_EQ(pa_addr(p), FAKE_BASE + MiB(512));
}

/* Two adjacent 16 KiB ranges are absolute buddies, but must stay apart. */
HTEST(pmem, no_block_straddles_ranges)
{
	paddr_t got[8], p;

	pmem_setup();
	EXPECT_EQ(pmem_add(fake_pa(0), KiB(16)), 0);
	EXPECT_EQ(pmem_add(fake_pa(KiB(16)), KiB(16)), 0);
	EXPECT_EQ(pmem_largest_free(), KiB(16));
	for (unsigned int i = 0; i < 8; i++)
		EXPECT_EQ(pmem_alloc(PMEM_SHIFT_4K, &got[i]), 0);
	for (unsigned int i = 0; i < 8; i++)
		pmem_free(got[i], PMEM_SHIFT_4K);
	EXPECT_EQ(pmem_largest_free(), KiB(16));
	EXPECT_EQ(pmem_alloc(15, &p), -ENOMEM);
	EXPECT_EQ(pmem_alloc(14, &p), 0);
	EXPECT_EQ(pmem_alloc(14, &p), 0);
	EXPECT_EQ(pmem_free_bytes(), 0);
}

static uint64_t churn_rng = 0x9e3779b97f4a7c15ull;

static uint64_t churn_next(void)
{
	return htest_rand(&churn_rng);
}

struct churn_live {
	paddr_t pa;
	unsigned int shift;
};

static struct churn_live live[256];
static unsigned int nlive, bad;

static void churn_alloc(void)
{
	unsigned int shift = PMEM_SHIFT_4K + churn_next() % 11;
	uint64_t size, pa;
	paddr_t p;

	if (churn_next() % 64 == 0)
		shift = churn_next() % 2 ? PMEM_SHIFT_1G : PMEM_SHIFT_2M;
	size = 1ull << shift;
	if (pmem_alloc(shift, &p) != 0) {
		bad += pmem_largest_free() >= size;
		return;
	}
	pa = pa_addr(p);
	bad += !IS_ALIGNED(pa, size) || pa < FAKE_BASE || pa + size > FAKE_BASE + BIG_USABLE;
	for (unsigned int i = 0; i < nlive; i++)
		bad += overlaps(pa, size, pa_addr(live[i].pa), 1ull << live[i].shift);
	memset(arch_phys_to_virt(p), 0xff, 64);
	live[nlive++] = (struct churn_live){ p, shift };
}

static void churn_free(unsigned int i)
{
	pmem_free(live[i].pa, live[i].shift);
	live[i] = live[--nlive];
}

HTEST(pmem, churn_then_full_coalesce)
{
	uint64_t in_use = 0;

	pmem_setup();
	nlive = bad = 0;
	EXPECT_EQ(pmem_add(fake_pa(0), BIG_SIZE), 0);
	for (unsigned int step = 0; step < 20000; step++) {
		if (nlive < 256 && (nlive == 0 || churn_next() % 3 != 0))
			churn_alloc();
		else
			churn_free(churn_next() % nlive);
		in_use = 0;
		for (unsigned int i = 0; i < nlive; i++)
			in_use += 1ull << live[i].shift;
		bad += pmem_free_bytes() != BIG_USABLE - in_use;
	}
	EXPECT_EQ(bad, 0);
	EXPECT(nlive > 0);
	while (nlive)
		churn_free(churn_next() % nlive);
	EXPECT_EQ(pmem_free_bytes(), BIG_USABLE);
	EXPECT_EQ(pmem_largest_free(), GiB(1));
}

static paddr_t victim;

static void free_victim_4k(void)
{
	pmem_free(victim, PMEM_SHIFT_4K);
}

static void free_victim_2m(void)
{
	pmem_free(victim, PMEM_SHIFT_2M);
}

static void free_victim_middle(void)
{
	pmem_free(pa_make(pa_addr(victim) + KiB(4)), PMEM_SHIFT_4K);
}

static void free_outside(void)
{
	pmem_free(fake_pa(MiB(64)), PMEM_SHIFT_4K);
}

HTEST(pmem, bad_free_panics)
{
	pmem_setup();
	EXPECT_EQ(pmem_add(fake_pa(0), MiB(8)), 0);
	EXPECT_EQ(pmem_alloc(PMEM_SHIFT_2M, &victim), 0);
	EXPECT(panics(free_victim_4k));
	EXPECT(panics(free_victim_middle));
	EXPECT(panics(free_outside));
	EXPECT(!panics(free_victim_2m)); /* the control: a good free */
	free_victim_2m();
	EXPECT(panics(free_victim_2m)); /* double free */
	EXPECT_EQ(pmem_largest_free(), MiB(4));
}

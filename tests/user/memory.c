// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory: malloc/free/realloc churn that verifies every byte it wrote, a
 * 64 MiB block touched entirely, mmap/munmap/mprotect churn, brk growth,
 * and the errors a kernel must give for impossible requests.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lwk_test.h"

#define PAGE 4096ul
#define SLOTS 512
#define ROUNDS 200000

struct slot {
	unsigned char *p;
	size_t size;
	unsigned char seed;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng_next(void)
{
	return test_rand(&rng_state);
}

/* Mostly small blocks, some medium, a few large enough to be mappings. */
static size_t random_size(void)
{
	uint64_t r = rng_next();

	switch (r % 16) {
	case 0:
		return r >> 40 & 0x3ffff;
	case 1:
	case 2:
		return r >> 40 & 0xffff;
	default:
		return r >> 40 & 0x3ff;
	}
}

static void fill(unsigned char *p, size_t n, unsigned char seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static int verify(const unsigned char *p, size_t n, unsigned char seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7))
			return 0;
	return 1;
}

static void slot_fill(struct slot *s, size_t size)
{
	s->size = size;
	s->seed = (unsigned char)rng_next();
	fill(s->p, size, s->seed);
}

/* One round on one slot: allocate it, free it, or resize it. */
static void churn_slot(struct slot *s)
{
	if (!s->p) {
		size_t size = random_size();

		s->p = rng_next() & 1 ? malloc(size) : calloc(1, size);
		EXPECT(s->p != NULL);
		EXPECT(((uintptr_t)s->p & 15) == 0);
		slot_fill(s, size);
		return;
	}
	EXPECT(verify(s->p, s->size, s->seed));
	if (rng_next() % 4 == 0) {
		size_t size = random_size() + 1, keep = size < s->size ? size : s->size;

		s->p = realloc(s->p, size);
		EXPECT(s->p != NULL && ((uintptr_t)s->p & 15) == 0);
		EXPECT(verify(s->p, keep, s->seed));
		slot_fill(s, size);
		return;
	}
	free(s->p);
	s->p = NULL;
}

static void check_malloc_churn(void)
{
	static struct slot slots[SLOTS];

	for (int i = 0; i < ROUNDS; i++)
		churn_slot(&slots[rng_next() % SLOTS]);
	for (int i = 0; i < SLOTS; i++) {
		EXPECT(!slots[i].p || verify(slots[i].p, slots[i].size, slots[i].seed));
		free(slots[i].p);
	}
	printf("malloc churn: %d rounds over %d slots verified\n", ROUNDS, SLOTS);
}

static void check_malloc_edges(void)
{
	volatile size_t huge = (size_t)1 << 62;
	unsigned char *p, *z;

	/* Blocks reused after the churn are dirty; calloc must clear them. */
	z = calloc(100, 37);
	EXPECT(z != NULL);
	for (int i = 0; i < 3700; i++)
		EXPECT(z[i] == 0);
	free(z);
	p = malloc(0);
	EXPECT(p != NULL);
	free(p);
	errno = 0;
	EXPECT(malloc(huge) == NULL && errno == ENOMEM);
	errno = 0;
	EXPECT(calloc(huge, 16) == NULL && errno == ENOMEM);
	p = NULL;
	for (size_t n = 1; n <= (1 << 20); n *= 2) {
		p = realloc(p, n);
		EXPECT(p != NULL);
		EXPECT(verify(p, n / 2, 42));
		fill(p, n, 42);
	}
	free(p);
}

/* Every byte of 64 MiB, written and read back word by word. */
static void check_malloc_64m(void)
{
	size_t n = (size_t)64 << 20, words = n / sizeof(uint64_t);
	uint64_t *p = malloc(n);

	EXPECT(p != NULL);
	for (size_t i = 0; i < words; i++)
		p[i] = i * 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < words; i++)
		EXPECT(p[i] == i * 0x9e3779b97f4a7c15ull);
	free(p);
	printf("64 MiB malloc touched and verified\n");
}

static unsigned char *map_pages(size_t pages)
{
	void *p =
	    mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	EXPECT(p != MAP_FAILED);
	EXPECT(((uintptr_t)p & (PAGE - 1)) == 0);
	return p;
}

/* Fresh anonymous pages read as zero and keep what is written to them;
 * read-only pages stay readable. */
static void check_mapping(unsigned char *p, size_t pages, unsigned char seed)
{
	for (size_t i = 0; i < pages; i++) {
		EXPECT(p[i * PAGE] == 0 && p[i * PAGE + PAGE - 1] == 0);
		p[i * PAGE] = seed;
		p[i * PAGE + PAGE - 1] = seed ^ 0xff;
	}
	EXPECT(mprotect(p, pages * PAGE, PROT_READ) == 0);
	for (size_t i = 0; i < pages; i++)
		EXPECT(p[i * PAGE] == seed && p[i * PAGE + PAGE - 1] == (seed ^ 0xff));
}

static void check_mmap_churn(void)
{
	for (int i = 0; i < 2000; i++) {
		size_t pages = 1 + rng_next() % 64;
		unsigned char *p = map_pages(pages);

		check_mapping(p, pages, (unsigned char)i | 1);
		EXPECT(munmap(p, pages * PAGE) == 0);
	}
	/* A hole punched in the middle leaves both ends mapped. */
	unsigned char *p = map_pages(3);

	p[0] = 1;
	p[2 * PAGE] = 3;
	EXPECT(munmap(p + PAGE, PAGE) == 0);
	EXPECT(p[0] == 1 && p[2 * PAGE] == 3);
	EXPECT(munmap(p, 3 * PAGE) == 0);
	printf("mmap churn: 2000 mappings verified\n");
}

static void check_mmap_errors(void)
{
	volatile size_t huge = (size_t)1 << 62;

	errno = 0;
	EXPECT(mmap(NULL, huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
		   MAP_FAILED &&
	       errno == ENOMEM);
	errno = 0;
	EXPECT(munmap((void *)(PAGE + 1), PAGE) == -1 && errno == EINVAL);
	errno = 0;
	EXPECT(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
	       errno == EINVAL);
}

/* Grow the break in steps, use it, and give it all back. No allocation in
 * between: glibc's malloc also moves the break. */
static void check_brk(void)
{
	const long step = 64 << 10, steps = 16;
	char *start = sbrk(0), *p;

	EXPECT(start != (void *)-1);
	for (long i = 0; i < steps; i++) {
		p = sbrk(step);
		EXPECT(p == start + i * step);
		memset(p, (int)i + 1, step);
	}
	for (long i = 0; i < steps; i++)
		EXPECT(start[i * step] == i + 1 && start[(i + 1) * step - 1] == i + 1);
	EXPECT(sbrk(-steps * step) == start + steps * step);
	EXPECT(sbrk(0) == start);
	printf("brk grew by 1 MiB at %p and shrank back\n", (void *)start);
}

int main(void)
{
	printf("memory test\n");
	check_malloc_churn();
	check_malloc_edges();
	check_malloc_64m();
	check_mmap_churn();
	check_mmap_errors();
	check_brk();
	test_pass("memory");
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * A 1 GiB malloc, every 4 KiB page of it written and then read back. Each
 * page gets a value of its own at both ends, so two virtual pages that
 * share a frame, or a large page mapped at the wrong offset, show up as a
 * mismatch, not only a page that is missing. LWK_TEST_SMALL=1 shrinks the
 * block to 64 MiB for machines and partitions with less memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lwk_test.h"

#define PAGE 4096ul
#define WORDS_PER_PAGE (PAGE / sizeof(uint64_t))

static uint64_t page_value(size_t page)
{
	return (page + 1) * 0x9e3779b97f4a7c15ull;
}

static int64_t now_us(void)
{
	struct timespec ts;

	EXPECT(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	return ts.tv_sec * 1000000ll + ts.tv_nsec / 1000;
}

static void touch_pages(uint64_t *p, size_t pages)
{
	for (size_t i = 0; i < pages; i++) {
		p[i * WORDS_PER_PAGE] = page_value(i);
		p[(i + 1) * WORDS_PER_PAGE - 1] = ~page_value(i);
	}
}

static void verify_pages(const uint64_t *p, size_t pages)
{
	for (size_t i = 0; i < pages; i++) {
		uint64_t first = p[i * WORDS_PER_PAGE], last = p[(i + 1) * WORDS_PER_PAGE - 1];

		if (first == page_value(i) && last == ~page_value(i))
			continue;
		printf("page %zu at %p: %#llx %#llx, expected %#llx %#llx\n", i,
		       (void *)&p[i * WORDS_PER_PAGE], (unsigned long long)first,
		       (unsigned long long)last, (unsigned long long)page_value(i),
		       (unsigned long long)~page_value(i));
		EXPECT(first == page_value(i) && last == ~page_value(i));
	}
}

int main(void)
{
	const char *small = getenv("LWK_TEST_SMALL");
	size_t size = small && strcmp(small, "1") == 0 ? 64ul << 20 : 1ul << 30;
	size_t pages = size / PAGE;
	int64_t start, touched, verified;
	uint64_t *p = malloc(size);

	printf("malloc(%zu MiB) = %p\n", size >> 20, (void *)p);
	EXPECT(p != NULL);
	EXPECT(((uintptr_t)p & 15) == 0);
	start = now_us();
	touch_pages(p, pages);
	touched = now_us();
	/* The block escapes here: verify must read memory, not the stores. */
	__asm__ volatile("" : : "r"(p) : "memory");
	verify_pages(p, pages);
	verified = now_us();
	free(p);
	printf("%zu pages: written in %lld ms, verified in %lld ms\n", pages,
	       (long long)(touched - start) / 1000, (long long)(verified - touched) / 1000);
	test_pass("mem_1g");
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The verdict lines of user test programs. They build against libc-min and
 * against glibc alike, so only standard calls are used here. A runner
 * demands "PASS name" and exit status 0; any "FAIL" line is a failure.
 * EXPECT() is the host tests' word (tests/host/htest.h), but a program is
 * one test: the first failed expectation ends it. (The kernel's CHECK()
 * is an invariant that panics; test code does not use that name.)
 */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define EXPECT(cond)                                          \
	do {                                                  \
		if (!(cond))                                  \
			test_fail(__FILE__, __LINE__, #cond); \
	} while (0)

static inline __attribute__((noreturn)) void test_fail(const char *file, int line, const char *cond)
{
	fprintf(stderr, "FAIL %s:%d: %s\n", file, line, cond);
	exit(1);
}

static inline void test_pass(const char *name)
{
	printf("PASS %s\n", name);
}

/* xorshift64: a repeatable pseudo-random sequence from a non-zero seed. */
static inline uint64_t test_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

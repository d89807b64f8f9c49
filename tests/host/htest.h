/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal unit-test harness for host tests of pure kernel logic.
 * HTEST(suite, name) registers a test; EXPECT*() record failures and go on;
 * main() (htest_main.c) runs everything and prints "N passed, N failed".
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct htest {
	const char *suite;
	const char *name;
	void (*fn)(void);
};

extern int htest_failures; /* failures inside the running test */

#define HTEST(suite, name)                                                                     \
	static void htest_##suite##_##name(void);                                              \
	static const struct htest htest_rec_##suite##_##name                                   \
	    __attribute__((used, section("htests"), aligned(8))) = { #suite, #name,            \
								     htest_##suite##_##name }; \
	static void htest_##suite##_##name(void)

#define EXPECT(cond)                                                                 \
	do {                                                                         \
		if (!(cond)) {                                                       \
			printf("  %s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
			htest_failures++;                                            \
		}                                                                    \
	} while (0)

#define EXPECT_EQ(a, b)                                                                     \
	do {                                                                                \
		unsigned long long va_ = (unsigned long long)(a);                           \
		unsigned long long vb_ = (unsigned long long)(b);                           \
		if (va_ != vb_) {                                                           \
			printf("  %s:%d: expected %s == %s (0x%llx != 0x%llx)\n", __FILE__, \
			       __LINE__, #a, #b, va_, vb_);                                 \
			htest_failures++;                                                   \
		}                                                                           \
	} while (0)

#define EXPECT_STR_CONTAINS(hay, needle)                                                        \
	do {                                                                                    \
		if (!strstr((hay), (needle))) {                                                 \
			printf("  %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
			       (hay), (needle));                                                \
			htest_failures++;                                                       \
		}                                                                               \
	} while (0)

/* xorshift64: a repeatable pseudo-random sequence from a non-zero seed. */
static inline uint64_t htest_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

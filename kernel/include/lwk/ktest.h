/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ktest: in-kernel tests. TEST(suite, name) registers a test in the .ktests
 * section; lwk.ktest=all (or a suite, or suite.name) runs them at boot. A
 * test that must be asked for by name (it crashes on purpose, say) is
 * TEST_MANUAL. ktest_each_cpu() runs a function on every online core at
 * once, for tests of per-core state.
 */
#pragma once

#include <lwk/types.h>

struct ktest {
	const char *suite;
	const char *name;
	void (*fn)(void);
	uint64_t flags;
};

#define KTEST_MANUAL 1

#define KTEST_DEFINE(suite_, name_, flags_)                                                \
	static void ktest_##suite_##_##name_(void);                                        \
	static const struct ktest ktest_rec_##suite_##_##name_ __used __section(".ktests") \
	    __aligned(8) = { #suite_, #name_, ktest_##suite_##_##name_, flags_ };          \
	static void ktest_##suite_##_##name_(void)

#define TEST(suite, name) KTEST_DEFINE(suite, name, 0)
#define TEST_MANUAL(suite, name) KTEST_DEFINE(suite, name, KTEST_MANUAL)

__printf(3, 4) void ktest_fail(const char *file, int line, const char *fmt, ...);
/* The running test cannot run here (no channel, one core): it says why,
 * and is counted as skipped, never as passed. The caller returns. */
__printf(1, 2) void ktest_skip(const char *fmt, ...);

#define KT_EXPECT(cond)                                                       \
	do {                                                                  \
		if (!(cond))                                                  \
			ktest_fail(__FILE__, __LINE__, "expected %s", #cond); \
	} while (0)

#define KT_EXPECT_EQ(a, b)                                                                         \
	do {                                                                                       \
		unsigned long long a_ = (unsigned long long)(a);                                   \
		unsigned long long b_ = (unsigned long long)(b);                                   \
		if (a_ != b_)                                                                      \
			ktest_fail(__FILE__, __LINE__, "expected %s == %s (0x%llx != 0x%llx)", #a, \
				   #b, a_, b_);                                                    \
	} while (0)

/* Run fn(arg) on every online core at once, this one included; fails the
 * current test if a core does not finish within @timeout_us. */
void ktest_each_cpu(void (*fn)(void *), void *arg, uint64_t timeout_us);

/* Run the tests that @selector names; prints one line per test and a final
 * "N passed, N failed". Returns the number failed (or 1 if none matched).
 * Linked into the ktest image (build/lwk-ktest.elf) only: in the production
 * kernel it is NULL. */
unsigned int ktest_run(const char *selector) __attribute__((weak));

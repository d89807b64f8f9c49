// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <lwk/arch.h>
#include <lwk/cpus.h>
#include <lwk/ktest.h>
#include <lwk/log.h>

extern const struct ktest __ktests_start[], __ktests_end[];

void ktest_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	__atomic_fetch_add(&this_cpu()->ktest_failures, 1, __ATOMIC_RELAXED);
	log_raw("ktest:   failure at %s:%d on cpu%u: %s\n", file, line, arch_cpu_id(), msg);
}

static char skip_reason[160]; /* set by the running test: it is skipped */

void ktest_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);
}

void ktest_each_cpu(void (*fn)(void *), void *arg, uint64_t timeout_us)
{
	struct cpu *self = this_cpu();

	for_each_cpu (c)
		if (c != self && c->state == CPU_ONLINE)
			cpus_call(c, fn, arg);
	fn(arg);
	for_each_cpu (c)
		if (c != self && c->state == CPU_ONLINE && !cpus_wait(c, timeout_us))
			ktest_fail(__FILE__, __LINE__,
				   "cpu%u (APIC 0x%x) did not finish within %llu us", c->id,
				   c->apic_id, (unsigned long long)timeout_us);
}

static bool selected(const struct ktest *t, const char *sel)
{
	size_t n = strlen(t->suite);

	if (!strcmp(sel, "all"))
		return !(t->flags & KTEST_MANUAL);
	if (!strncmp(sel, t->suite, n) && sel[n] == '.')
		return !strcmp(sel + n + 1, t->name);
	return !strcmp(sel, t->suite) && !(t->flags & KTEST_MANUAL);
}

static void ktest_list(void)
{
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
		log_raw("ktest: %s.%s%s\n", t->suite, t->name,
			t->flags & KTEST_MANUAL ? " (manual)" : "");
}

enum ktest_verdict { KTEST_PASSED, KTEST_FAILED, KTEST_SKIPPED };

static enum ktest_verdict run_one(const struct ktest *t)
{
	unsigned int failures = 0;

	for_each_cpu (c)
		c->ktest_failures = 0;
	skip_reason[0] = '\0';
	t->fn();
	for_each_cpu (c)
		failures += c->ktest_failures;
	if (!failures && skip_reason[0]) {
		log_raw("ktest: skip %s.%s: %s\n", t->suite, t->name, skip_reason);
		return KTEST_SKIPPED;
	}
	log_raw("ktest: %s %s.%s\n", failures ? "FAIL" : "ok  ", t->suite, t->name);
	return failures ? KTEST_FAILED : KTEST_PASSED;
}

unsigned int ktest_run(const char *selector)
{
	unsigned int counts[3] = { 0 };

	if (!strcmp(selector, "list")) {
		ktest_list();
		return 0;
	}
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
		if (!selected(t, selector))
			continue;
		counts[run_one(t)]++;
	}
	if (!counts[KTEST_PASSED] && !counts[KTEST_FAILED] && !counts[KTEST_SKIPPED]) {
		log_raw("ktest: no test matches '%s'; lwk.ktest=list shows them\n", selector);
		return 1;
	}
	log_raw("ktest: %u passed, %u failed (%u skipped)\n", counts[KTEST_PASSED],
		counts[KTEST_FAILED], counts[KTEST_SKIPPED]);
	return counts[KTEST_FAILED];
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault injection (lwk/ktest_fault.h): an LWK that panics, or whose
 * service core stops answering, at a moment a test chooses by sending a
 * process a signal. tests/partition/guest.sh and tests/vm/lwk-fault.sh use
 * it to show that lwkexec and lwkctl report either and that shutdown takes
 * everything back.
 */
#include <stdio.h>
#include <string.h>
#include <lwk/arch.h>
#include <lwk/check.h>
#include <lwk/cmdline.h>
#include <lwk/ktest.h>
#include <lwk/ktest_fault.h>
#include <lwk/log.h>

#define FAULT_MAX_SIGNAL 64

static int fault_key(const char *cmdline, const char *key, int *sig, char *err, size_t len)
{
	char v[24];
	uint64_t s;

	if (!cmdline_get(cmdline, key, v, sizeof(v)))
		return 0;
	if (!cmdline_parse_u64(v, strlen(v), FAULT_MAX_SIGNAL, &s) || !s) {
		snprintf(err, len, "%s=%s: want a signal number from 1 to %d", key, v,
			 FAULT_MAX_SIGNAL);
		return -1;
	}
	*sig = (int)s;
	return 0;
}

struct fault_signals {
	int panic, hang; /* 0: not asked for */
};

static struct fault_signals asked;

static int fault_parse(const char *cmdline, struct fault_signals *f, char *err, size_t len)
{
	memset(f, 0, sizeof(*f));
	if (fault_key(cmdline, "lwk.test-panic-signal", &f->panic, err, len) ||
	    fault_key(cmdline, "lwk.test-hang-signal", &f->hang, err, len))
		return -1;
	if (f->panic && f->panic == f->hang) {
		snprintf(err, len,
			 "lwk.test-panic-signal and lwk.test-hang-signal both name signal %d: "
			 "choose one",
			 f->panic);
		return -1;
	}
	return 0;
}

int ktest_fault_setup(const char *cmdline, char *err, size_t len)
{
	if (fault_parse(cmdline, &asked, err, len))
		return -1;
	if (asked.panic)
		log_warn("test: the service core panics when it takes signal %d "
			 "(lwk.test-panic-signal)",
			 asked.panic);
	if (asked.hang)
		log_warn("test: the service core stops answering when it takes signal %d "
			 "(lwk.test-hang-signal)",
			 asked.hang);
	return 0;
}

/* Interrupts off and halted for good: no ring, timer or IPI wakes it; an
 * NMI (a panic elsewhere) returns here, and INIT from lwk.ko at shutdown
 * ends it. */
static __noreturn void fault_hang(int sig)
{
	log_warn("test hang: signal %d: the service core stops answering, as "
		 "lwk.test-hang-signal asked",
		 sig);
	arch_halt_forever();
}

void ktest_fault_signal(int sig)
{
	if (sig == asked.panic)
		panic("test panic: signal %d, as lwk.test-panic-signal asked", sig);
	if (sig == asked.hang)
		fault_hang(sig);
}

/* The keys, read as documented. */
TEST(fault_inject, keys)
{
	struct fault_signals f;
	char err[160];

	KT_EXPECT(!fault_parse("quiet lwk.test-panic-signal=12 lwk.test-hang-signal=0x0a", &f, err,
			       sizeof(err)));
	KT_EXPECT_EQ(f.panic, 12);
	KT_EXPECT_EQ(f.hang, 10);
	KT_EXPECT(!fault_parse("quiet", &f, err, sizeof(err)));
	KT_EXPECT(!f.panic && !f.hang);
	KT_EXPECT(fault_parse("lwk.test-panic-signal=0", &f, err, sizeof(err)));
	KT_EXPECT(strstr(err, "lwk.test-panic-signal=0: want a signal number from 1 to 64"));
	KT_EXPECT(fault_parse("lwk.test-hang-signal=65", &f, err, sizeof(err)));
	KT_EXPECT(fault_parse("lwk.test-hang-signal", &f, err, sizeof(err)));
	KT_EXPECT(fault_parse("lwk.test-hang-signal=-1", &f, err, sizeof(err)));
	KT_EXPECT(
	    fault_parse("lwk.test-panic-signal=9 lwk.test-hang-signal=9", &f, err, sizeof(err)));
	KT_EXPECT(strstr(err, "both name signal 9"));
}

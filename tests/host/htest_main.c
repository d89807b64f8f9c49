// SPDX-License-Identifier: GPL-2.0-only
/* Runs every HTEST linked into the binary; exit status 1 if any failed. */
#include "htest.h"

int htest_failures;

extern const struct htest __start_htests[], __stop_htests[];

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	const char *only = argc > 1 ? argv[1] : NULL;

	for (const struct htest *t = __start_htests; t < __stop_htests; t++) {
		if (only && strcmp(only, t->suite) != 0)
			continue;
		htest_failures = 0;
		t->fn();
		printf("%s %s.%s\n", htest_failures ? "FAIL" : "ok  ", t->suite, t->name);
		if (htest_failures)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

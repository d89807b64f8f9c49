// SPDX-License-Identifier: GPL-2.0-only
/* The small parts of <stdlib.h>; malloc has its own file. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "internal.h"

#define SIG_UNBLOCK 1

void abort(void)
{
	unsigned long set = 1ul << (SIGABRT - 1);

	/* A blocked SIGABRT would make raise() return: unblock it first. It
	 * can still be ignored (dispositions survive execve), hence _exit. */
	lm_syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&set, 0, sizeof(set), 0, 0);
	raise(SIGABRT);
	_exit(127);
}

/* strtoull() does the digits; this adds the sign and the range of long. */
long strtol(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long long v, limit = LONG_MAX;
	int negative;
	char *digits_end;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	negative = *p == '-';
	if (negative)
		p++;
	/* strtoull() would skip these too, accepting "-+1" and "- 1". */
	if (negative && (*p == '+' || *p == ' ' || *p == '\t')) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	v = strtoull(p, &digits_end, base);
	if (end)
		*end = digits_end == p ? (char *)s : digits_end;
	if (v > limit + negative) {
		errno = ERANGE;
		return negative ? LONG_MIN : LONG_MAX;
	}
	return negative ? (long)-v : (long)v;
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

char *getenv(const char *name)
{
	size_t len = strlen(name);

	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, name, len) && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

// SPDX-License-Identifier: GPL-2.0-only
/* Option values: sizes, numbers in a range, core lists (values.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "values.h"

#define SIZE_UNITS "KMGT" /* each 1024 times the one before, from 1 KiB */

static int size_refuse(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int size_refuse(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int values_size(const char *opt, const char *s, uint64_t *out, char *err, size_t errlen)
{
	unsigned long long v = 0;
	const char *unit = NULL;
	char *end = (char *)s;
	int shift;

	errno = 0;
	if (*s >= '0' && *s <= '9') /* strtoull would take " 1", "+1" and "-1" */
		v = strtoull(s, &end, 10);
	if (*end)
		unit = strchr(SIZE_UNITS, toupper((unsigned char)*end));
	if (end == s || (*end && (!unit || end[1])))
		return size_refuse(err, errlen,
				   "%s '%s' is not a size: give a whole number with K, M, G or T, "
				   "like 512M or 2G",
				   opt, s);
	shift = unit ? 10 * (int)(unit - SIZE_UNITS + 1) : 0;
	if (!v)
		return size_refuse(err, errlen, "%s %s is no memory: give a size like 512M or 2G",
				   opt, s);
	if (errno == ERANGE || v > VALUES_SIZE_MAX >> shift)
		return size_refuse(err, errlen, "%s %s is too large: at most %lluT", opt, s,
				   VALUES_SIZE_MAX >> 40);
	*out = (uint64_t)v << shift;
	return 0;
}

const char *values_size_name(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && bytes && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)bytes,
		 bytes == 1 && !u ? "byte" : units[u]);
	return buf;
}

int values_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int cores_add(const char *s, uint64_t *mask, unsigned long lo, unsigned long hi, char *err,
		     size_t errlen)
{
	unsigned long top = lo > hi ? lo : hi;

	if (top >= LWK_CHAN_MAX_CPUS) {
		snprintf(err, errlen, "%s: core %lu does not exist: cores are numbered 0 to %d", s,
			 top, LWK_CHAN_MAX_CPUS - 1);
		return -EINVAL;
	}
	if (lo > hi) {
		snprintf(err, errlen, "%s: the range %lu-%lu runs backwards; write it %lu-%lu", s,
			 lo, hi, hi, lo);
		return -EINVAL;
	}
	for (unsigned long c = lo; c <= hi; c++)
		mask[c / 64] |= 1ull << (c % 64);
	return 0;
}

/* --cores N: how many cores, any of them. */
static int cores_count(const char *s, unsigned int *count, char *err, size_t errlen)
{
	char *end;
	unsigned long n = strtoul(s, &end, 10);

	if (*s < '0' || *s > '9' || *end) {
		snprintf(err, errlen, "'%s' is not a core count or a list like 1,2,5-7", s);
		return -EINVAL;
	}
	if (!n) {
		snprintf(err, errlen,
			 "%s: a process needs at least one core; give a count like 2 or a list "
			 "like 1,3-4",
			 s);
		return -EINVAL;
	}
	if (n >= LWK_CHAN_MAX_CPUS) { /* core 0 of every partition serves it */
		snprintf(err, errlen, "%s: a process can have at most %d cores", s,
			 LWK_CHAN_MAX_CPUS - 1);
		return -EINVAL;
	}
	*count = (unsigned int)n;
	return 0;
}

int values_cores(const char *s, unsigned int *count, uint64_t mask[LWK_CHAN_MAX_CPUS / 64],
		 char *err, size_t errlen)
{
	const char *p = s;
	char *end;

	memset(mask, 0, LWK_CHAN_MAX_CPUS / 8);
	*count = 0;
	if (!strpbrk(s, ",-"))
		return cores_count(s, count, err, errlen);
	for (;;) {
		unsigned long lo, hi;

		if (*p < '0' || *p > '9')
			goto bad;
		lo = hi = strtoul(p, &end, 10);
		p = end;
		if (*p == '-') {
			if (p[1] < '0' || p[1] > '9')
				goto bad;
			hi = strtoul(p + 1, &end, 10);
			p = end;
		}
		if (cores_add(s, mask, lo, hi, err, errlen))
			return -EINVAL;
		if (!*p)
			return 0;
		if (*p++ != ',')
			goto bad;
	}
bad:
	snprintf(err, errlen, "'%s' is not a core count or a list like 1,2,5-7", s);
	return -EINVAL;
}

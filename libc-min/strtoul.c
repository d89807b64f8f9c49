// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* Saturates at ULLONG_MAX on overflow, as the C library does. */
unsigned long long strtoull(const char *s, char **end, int base)
{
	unsigned long long v = 0, limit = ~0ull;
	const char *start = s, *digits;
	int d, overflow = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '+')
		s++;
	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    digit_value(s[2]) < 16) {
		s += 2;
		base = 16;
	} else if (base == 0) {
		base = s[0] == '0' ? 8 : 10;
	}
	digits = s;
	for (; (d = digit_value(*s)) < base; s++) {
		if (v > (limit - d) / base)
			overflow = 1;
		v = v * base + d;
	}
	if (end) /* no digits: nothing was converted */
		*end = (char *)(s == digits ? start : s);
	return overflow ? limit : v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	return strtoull(s, end, base);
}

// SPDX-License-Identifier: GPL-2.0-only
/* The one command-line parser, for the kernel and the boot shim. */
#include <stdlib.h>
#include <string.h>
#include <lwk/cmdline.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Is the word [word, end) @key (bare, if @bare_ok) or "@key=..."? Then
 * its value: after the '=', or empty at @end. */
static const char *word_value(const char *word, const char *end, const char *key, bool bare_ok)
{
	size_t klen = strlen(key);

	if ((size_t)(end - word) < klen || strncmp(word, key, klen))
		return NULL;
	if (word + klen == end)
		return bare_ok ? end : NULL;
	return word[klen] == '=' ? word + klen + 1 : NULL;
}

/* The value of the last word that names @key; *@len is its length. */
static const char *cmdline_find(const char *cmdline, const char *key, bool bare_ok, size_t *len)
{
	const char *value = NULL;
	const char *p = cmdline;

	while (*p) {
		const char *word, *v;

		while (is_blank(*p))
			p++;
		word = p;
		while (*p && !is_blank(*p))
			p++;
		v = word_value(word, p, key, bare_ok);
		if (v) {
			value = v;
			*len = p - v;
		}
	}
	return value;
}

bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t len)
{
	size_t vlen;
	const char *v = cmdline_find(cmdline, key, true, &vlen);
	size_t n;

	if (!v)
		return false;
	n = MIN(vlen, len - 1);
	memcpy(buf, v, n);
	buf[n] = '\0';
	return true;
}

const char *cmdline_value(const char *cmdline, const char *key, size_t *len)
{
	return cmdline_find(cmdline, key, false, len);
}

static bool is_digit(char c, int base)
{
	return (c >= '0' && c <= '9') ||
	       (base == 16 && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
}

/* strtoull() does the arithmetic; what it would also take (blanks, a
 * sign) is refused first, since those are not numbers here. It saturates
 * on overflow, so its largest value counts as too large. */
bool cmdline_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	bool hex = len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	char *end;
	uint64_t v;

	if (digits == s + len || !is_digit(*digits, hex ? 16 : 10))
		return false;
	v = strtoull(digits, &end, hex ? 16 : 10);
	if (end != s + len || v == UINT64_MAX || v > max)
		return false;
	*out = v;
	return true;
}

// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>
#include <lwk/cmdline.h>

static const char *word_end(const char *p)
{
	while (*p && *p != ' ')
		p++;
	return p;
}

bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	bool found = false;

	for (const char *p = cmdline; *p;) {
		const char *end = word_end(p);

		if ((size_t)(end - p) >= klen && !strncmp(p, key, klen) &&
		    (p[klen] == '=' || p + klen == end)) {
			const char *v = p[klen] == '=' ? p + klen + 1 : end;
			size_t n = MIN((size_t)(end - v), len - 1);

			memcpy(buf, v, n);
			buf[n] = '\0';
			found = true;
		}
		p = *end ? end + 1 : end;
	}
	return found;
}

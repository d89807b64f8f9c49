// SPDX-License-Identifier: GPL-2.0-only
/* ktests for the libc-min routines the kernel uses, and the command line. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lwk/cmdline.h>
#include <lwk/ktest.h>
#include <lwk/log.h>

static void expect_format(const char *file, int line, const char *want, const char *fmt, ...)
    __printf(4, 5);

static void expect_format(const char *file, int line, const char *want, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (strcmp(buf, want) || n != (int)strlen(want))
		ktest_fail(file, line, "format \"%s\" gave \"%s\" (%d), want \"%s\"", fmt, buf, n,
			   want);
}

#define FMT(want, ...) expect_format(__FILE__, __LINE__, want, __VA_ARGS__)

TEST(lib, snprintf_conversions)
{
	FMT("42 -7 +3", "%d %i %+d", 42, -7, 3);
	FMT("4294967295 ffffffff FFFF 0x1f 017", "%u %x %X %#x %#o", UINT_MAX, UINT_MAX, 0xffff,
	    0x1f, 15);
	FMT("-9223372036854775808", "%lld", LLONG_MIN);
	FMT("18446744073709551615", "%llu", ULLONG_MAX);
	FMT("[   ab] [ab   ] [00042] [  -42] [-0042]", "[%5s] [%-5s] [%05d] [%5d] [%05d]", "ab",
	    "ab", 42, -42, -42);
	const char *volatile no_string = NULL;

	FMT("abc|ab|(null)", "%s|%.2s|%s", "abc", "abcdef", no_string);
	FMT("x%y", "%c%%%c", 'x', 'y');
	FMT("0x0000000000001000", "0x%016lx", 0x1000ul);
	FMT("[  7]", "[%*d]", 3, 7);
	FMT("255 65535", "%hhu %hu", 0x1ff, 0x1ffff);
	FMT("0xff", "%p", (void *)0xff);
}

TEST(lib, snprintf_truncates)
{
	char buf[8];

	KT_EXPECT_EQ(snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	KT_EXPECT(!strcmp(buf, "0123456"));
	KT_EXPECT_EQ(snprintf(buf, 0, "abc"), 3);
	KT_EXPECT_EQ(snprintf(buf, 1, "abc"), 3);
	KT_EXPECT_EQ(buf[0], '\0');
}

TEST(lib, strtoul_bases_and_ends)
{
	char *end;

	KT_EXPECT_EQ(strtoul("123x", &end, 10), 123);
	KT_EXPECT_EQ(*end, 'x');
	KT_EXPECT_EQ(strtoul("0x1F", &end, 0), 0x1f);
	KT_EXPECT_EQ(strtoul("017", &end, 0), 017);
	KT_EXPECT_EQ(strtoull("ffffffffffffffffff", &end, 16), ULLONG_MAX); /* saturates */
	KT_EXPECT_EQ(strtoul("zz", &end, 10), 0);
	KT_EXPECT(!strcmp(end, "zz")); /* nothing converted: end = start */
	KT_EXPECT_EQ(strtoul("0x", &end, 16), 0);
	KT_EXPECT(!strcmp(end, "x"));
}

TEST(lib, string_routines)
{
	char buf[16];

	KT_EXPECT_EQ(strlen("abc"), 3);
	KT_EXPECT_EQ(strnlen("abcdef", 4), 4);
	KT_EXPECT(strcmp("abc", "abd") < 0 && strcmp("b", "a") > 0 && !strcmp("x", "x"));
	KT_EXPECT(!strncmp("abcX", "abcY", 3));
	KT_EXPECT(!strcmp(strchr("a.b.c", '.'), ".b.c"));
	KT_EXPECT(!strcmp(strrchr("a.b.c", '.'), ".c"));
	KT_EXPECT(!strcmp(strstr("hello world", "wor"), "world"));
	KT_EXPECT(strstr("abc", "abd") == NULL);
	memcpy(buf, "0123456789", 11);
	memmove(buf + 2, buf, 5); /* overlapping, forwards */
	KT_EXPECT(!strcmp(buf, "0101234789"));
	memmove(buf, buf + 2, 5); /* overlapping, backwards */
	KT_EXPECT(!memcmp(buf, "01234", 5));
	memset(buf, 'z', 3);
	KT_EXPECT(!memcmp(buf, "zzz", 3));
	KT_EXPECT_EQ(strlcpy(buf, "0123456789abcdefXYZ", sizeof(buf)), 19);
	KT_EXPECT(!strcmp(buf, "0123456789abcde"));
	KT_EXPECT(memchr("abc", 'c', 3) != NULL && memchr("abc", 'd', 3) == NULL);
}

TEST(lib, cmdline_keys)
{
	const char *line = "idle=poll lwk.ktest=smp quiet lwk.ktestx=1 idle=halt";
	char v[16];

	KT_EXPECT(cmdline_get(line, "idle", v, sizeof(v)));
	KT_EXPECT(!strcmp(v, "halt")); /* the last one wins */
	KT_EXPECT(cmdline_get(line, "lwk.ktest", v, sizeof(v)));
	KT_EXPECT(!strcmp(v, "smp"));
	KT_EXPECT(cmdline_get(line, "quiet", v, sizeof(v)));
	KT_EXPECT(!strcmp(v, ""));
	KT_EXPECT(!cmdline_get(line, "lwk", v, sizeof(v)));
	KT_EXPECT(!cmdline_get("", "idle", v, sizeof(v)));
	KT_EXPECT(cmdline_get("k=0123456789abcdefgh", "k", v, 4));
	KT_EXPECT(!strcmp(v, "012"));
}

/* Tabs and line ends separate words as spaces do: the boot shim and the
 * kernel read one command line the same way. */
TEST(lib, cmdline_blanks)
{
	const char *line = "idle=poll\tquiet\r\nloglevel=warn \t lwk.cpus=1,2";
	char v[16];
	size_t len;

	KT_EXPECT(cmdline_get(line, "idle", v, sizeof(v)));
	KT_EXPECT(!strcmp(v, "poll"));
	KT_EXPECT(cmdline_get(line, "quiet", v, sizeof(v)));
	KT_EXPECT(!strcmp(v, ""));
	KT_EXPECT(cmdline_get(line, "loglevel", v, sizeof(v)));
	KT_EXPECT(!strcmp(v, "warn"));
	KT_EXPECT(cmdline_value(line, "lwk.cpus", &len) && len == 3);
	KT_EXPECT(!cmdline_value(line, "quiet", &len)); /* bare: no value */
}

TEST(log, ring_keeps_lines)
{
	char tail[256];

	log_info("ktest marker %d", 12345);
	log_tail(tail, sizeof(tail));
	KT_EXPECT(strstr(tail, "cpu0: ktest marker 12345\n") != NULL);
}

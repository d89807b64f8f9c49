// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of the proxy library's option parser (every spelling of an
 * option, where options end, the one-line refusals) and of the values
 * options take: sizes, numbers in a range, core lists.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "options.h"
#include "values.h"
#include "htest.h"

enum { T_FLAG, T_MEM, T_NAME };

static const struct options_spec test_specs[] = {
	{ "--flag", 0, 0, T_FLAG },	 { "--mem", 'm', 1, T_MEM }, { "--name", 0, 1, T_NAME },
	{ "--partition", 0, 1, T_NAME }, { NULL, 0, 0, 0 },
};

/* What one walk saw: the ids and values in order, the last result, where
 * it stopped, and what it said on stderr. */
struct walk {
	char seen[256];
	int last, stop;
	char said[256];
};

static void walk(int operands, char **argv, struct walk *w)
{
	struct options o = { .prog = "prog cmd", .specs = test_specs, .operands = operands };
	FILE *real = stderr;
	char *said = NULL;
	size_t len = 0, used = 0;
	const char *v;

	while (argv[o.argc])
		o.argc++;
	o.argv = argv;
	stderr = open_memstream(&said, &len);
	while ((w->last = options_next(&o, &v)) >= 0)
		used += snprintf(w->seen + used, sizeof(w->seen) - used, "%d=%s ", w->last,
				 v ? v : "-");
	fclose(stderr);
	stderr = real;
	w->seen[used] = '\0';
	w->stop = o.i;
	snprintf(w->said, sizeof(w->said), "%s", said ? said : "");
	free(said);
}

#define ARGS(...) ((char *[]){ __VA_ARGS__, NULL })

HTEST(options, both_value_spellings)
{
	struct walk w;

	walk(1, ARGS("--mem", "2G", "--mem=3G", "-m", "4G", "--name=", "prog"), &w);
	EXPECT(!strcmp(w.seen, "1=2G 1=3G 1=4G 2= "));
	EXPECT_EQ(w.last, OPTIONS_END);
	EXPECT_EQ(w.stop, 6);
	EXPECT(!strcmp(w.said, ""));
}

HTEST(options, flags_and_aliases)
{
	struct walk w;

	walk(0, ARGS("--flag", "--partition", "p", "--name", "--flag"), &w);
	EXPECT(!strcmp(w.seen, "0=- 2=p 2=--flag "));
	EXPECT_EQ(w.last, OPTIONS_END);
	walk(0, ARGS("--flag=1"), &w);
	EXPECT_EQ(w.last, OPTIONS_BAD);
	EXPECT(!strcmp(w.said, "prog cmd: --flag takes no value; see 'prog cmd --help'\n"));
}

HTEST(options, operands_end_options)
{
	struct walk w;

	walk(1, ARGS("--flag", "prog", "--mem", "1G"), &w);
	EXPECT(!strcmp(w.seen, "0=- "));
	EXPECT_EQ(w.stop, 1);
	walk(1, ARGS("--", "--mem"), &w);
	EXPECT_EQ(w.last, OPTIONS_END);
	EXPECT_EQ(w.stop, 1);
	walk(1, ARGS("--flag"), &w);
	EXPECT_EQ(w.last, OPTIONS_END);
	EXPECT_EQ(w.stop, 1);
}

/* A command without operands takes nothing but its options. */
HTEST(options, no_operands)
{
	struct walk w;

	walk(0, ARGS("--flag", "extra"), &w);
	EXPECT_EQ(w.last, OPTIONS_BAD);
	EXPECT(!strcmp(w.said, "prog cmd: unknown option 'extra'; see 'prog cmd --help'\n"));
	walk(0, ARGS("--"), &w);
	EXPECT_EQ(w.last, OPTIONS_BAD);
	EXPECT(!strcmp(w.said, "prog cmd: unknown option '--'; see 'prog cmd --help'\n"));
}

HTEST(options, refusals)
{
	const struct {
		char **argv;
		const char *said;
	} cases[] = {
		{ ARGS("--mem"), "prog cmd: --mem needs a value; see 'prog cmd --help'\n" },
		{ ARGS("-m"), "prog cmd: -m needs a value; see 'prog cmd --help'\n" },
		{ ARGS("--bogus", "x"),
		  "prog cmd: unknown option '--bogus'; see 'prog cmd --help'\n" },
		{ ARGS("--memory=1G"),
		  "prog cmd: unknown option '--memory=1G'; see 'prog cmd --help'\n" },
		{ ARGS("--fla"), "prog cmd: unknown option '--fla'; see 'prog cmd --help'\n" },
		{ ARGS("-"), "prog cmd: unknown option '-'; see 'prog cmd --help'\n" },
		{ ARGS("-x"), "prog cmd: unknown option '-x'; see 'prog cmd --help'\n" },
		{ ARGS("--help=1"),
		  "prog cmd: unknown option '--help=1'; see 'prog cmd --help'\n" },
	};
	struct walk w;

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		walk(1, cases[i].argv, &w);
		EXPECT_EQ(w.last, OPTIONS_BAD);
		if (strcmp(w.said, cases[i].said))
			printf("  %s: said \"%s\"\n", cases[i].argv[0], w.said);
		EXPECT(!strcmp(w.said, cases[i].said));
	}
}

HTEST(options, help_anywhere)
{
	struct walk w;

	walk(1, ARGS("--flag", "-h", "--bogus"), &w);
	EXPECT_EQ(w.last, OPTIONS_HELP);
	walk(0, ARGS("--name", "n", "--help"), &w);
	EXPECT_EQ(w.last, OPTIONS_HELP);
	EXPECT(!strcmp(w.said, ""));
}

HTEST(values, sizes)
{
	uint64_t v = 0;
	char err[200];

	EXPECT(!values_size("--mem", "512", &v, err, sizeof(err)) && v == 512);
	EXPECT(!values_size("--mem", "2G", &v, err, sizeof(err)) && v == 2ull << 30);
	EXPECT(!values_size("--mem", "3k", &v, err, sizeof(err)) && v == 3072);
	EXPECT(!values_size("--mem", "16T", &v, err, sizeof(err)) && v == VALUES_SIZE_MAX);
	EXPECT(values_size("--mem", "0", &v, err, sizeof(err)));
	EXPECT(!strcmp(err, "--mem 0 is no memory: give a size like 512M or 2G"));
	EXPECT(values_size("--mem", "17T", &v, err, sizeof(err)));
	EXPECT(!strcmp(err, "--mem 17T is too large: at most 16T"));
	EXPECT(values_size("--mem", "99999999999999999999", &v, err, sizeof(err)));
	EXPECT(!strcmp(err, "--mem 99999999999999999999 is too large: at most 16T"));
	const char *bad[] = { "", "1.5G", "-1", "+1", " 1G", "2X", "1KB", "G" };
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[200];

		snprintf(want, sizeof(want),
			 "--mem '%s' is not a size: give a whole number with K, M, G or T, like "
			 "512M or 2G",
			 bad[i]);
		EXPECT(values_size("--mem", bad[i], &v, err, sizeof(err)) == -1);
		EXPECT(!strcmp(err, want));
	}
}

HTEST(values, size_names)
{
	char b[32];

	EXPECT(!strcmp(values_size_name(1, b, sizeof(b)), "1 byte"));
	EXPECT(!strcmp(values_size_name(3, b, sizeof(b)), "3 bytes"));
	EXPECT(!strcmp(values_size_name(1024, b, sizeof(b)), "1 KiB"));
	EXPECT(!strcmp(values_size_name(1536, b, sizeof(b)), "1536 bytes"));
	EXPECT(!strcmp(values_size_name(16ull << 20, b, sizeof(b)), "16 MiB"));
	EXPECT(!strcmp(values_size_name(5ull << 40, b, sizeof(b)), "5 TiB"));
	EXPECT(!strcmp(values_size_name(0, b, sizeof(b)), "0 bytes"));
}

HTEST(values, numbers_in_range)
{
	unsigned long n = 7;

	EXPECT(!values_uint("1", 1, 255, &n) && n == 1);
	EXPECT(!values_uint("255", 1, 255, &n) && n == 255);
	EXPECT(!values_uint("86400", 1, VALUES_SECONDS_MAX, &n) && n == 86400);
	n = 7;
	EXPECT(values_uint("0", 1, 255, &n) == -1);
	EXPECT(values_uint("256", 1, 255, &n) == -1);
	EXPECT(values_uint("2x", 1, 255, &n) == -1);
	EXPECT(values_uint("", 1, 255, &n) == -1);
	EXPECT(values_uint("-1", 0, 255, &n) == -1);
	EXPECT(values_uint(" 1", 0, 255, &n) == -1);
	EXPECT(values_uint("99999999999999999999999", 0, ~0ul, &n) == -1);
	EXPECT_EQ(n, 7);
}

HTEST(values, cores)
{
	uint64_t mask[LWK_CHAN_MAX_CPUS / 64];
	unsigned int n;
	char err[200];

	EXPECT(!values_cores("4", &n, mask, err, sizeof(err)) && n == 4 && !mask[0]);
	EXPECT(!values_cores("1,3-4", &n, mask, err, sizeof(err)) && n == 0 && mask[0] == 0x1a);
	EXPECT(values_cores("4-", &n, mask, err, sizeof(err)) == -EINVAL);
	EXPECT(!strcmp(err, "'4-' is not a core count or a list like 1,2,5-7"));
	EXPECT(values_cores("3-1", &n, mask, err, sizeof(err)) == -EINVAL);
	EXPECT(!strcmp(err, "3-1: the range 3-1 runs backwards; write it 1-3"));
}

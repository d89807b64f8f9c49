/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command-line options, parsed the same way for every command of lwkctl
 * and for lwkexec. A command lists its options in a table; each is a long
 * name ("--mem"), an optional one-letter alias ('m' for "-m") and whether
 * it takes a value. A value comes as "--mem 2G" or "--mem=2G" (an alias
 * takes it from the next argument). --help and -h belong to every command.
 *
 * Options come first. A command with operands (PROG ARGS...) stops at the
 * first argument that does not start with '-', or after "--"; for one
 * without, every argument must be one of its options. Mistakes get one
 * line on stderr, "PROG: WHAT; see 'PROG --help'", and exit status 2:
 *
 *   unknown option '--frob'     --cpus needs a value     --vm takes no value
 */
#pragma once

#include <stdio.h>

#define OPTIONS_USAGE_ERROR 2 /* the exit status for a command line refused */

struct options_spec {
	const char *name; /* "--cpus"; NULL ends the table */
	char alias;	  /* 'c' for "-c", or 0 */
	int takes_value;
	int id; /* what options_next returns for it: 0 or more */
};

struct options {
	const char *prog; /* "lwkctl boot", "lwkexec": starts every message */
	const struct options_spec *specs;
	int operands; /* PROG ARGS... follow the options */
	void (*usage)(FILE *f);
	int argc;
	char **argv;
	int i; /* the next argument; at the end, the first operand */
};

enum {
	OPTIONS_END = -1,  /* no more options: argv[i] is the first operand */
	OPTIONS_HELP = -2, /* --help or -h */
	OPTIONS_BAD = -3,  /* refused, and said why */
};

/* The next option: its spec's id with its value in *@value (NULL for one
 * that takes none), or OPTIONS_END, OPTIONS_HELP or OPTIONS_BAD. */
int options_next(struct options *o, const char **value);

/* Hand each option to @take (a non-zero return stops the walk: it said
 * why); --help prints the usage to stdout and exits 0. 0 with o->i at the
 * first operand, or OPTIONS_USAGE_ERROR. */
int options_parse(struct options *o,
		  int (*take)(struct options *o, int id, const char *value, void *ctx), void *ctx);

/* Say "PROG: WHAT; see 'PROG --help'" on stderr; OPTIONS_USAGE_ERROR. */
int options_error(const struct options *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

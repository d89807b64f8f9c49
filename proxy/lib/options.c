// SPDX-License-Identifier: GPL-2.0-only
/* Command-line options, one parser for every command (options.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"

int options_error(const struct options *o, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", o->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see '%s --help'\n", o->prog);
	return OPTIONS_USAGE_ERROR;
}

/* The spec @a names ("--cpus", "--cpus=4", "-c"), or NULL. */
static const struct options_spec *spec_find(const struct options_spec *s, const char *a)
{
	for (; s->name; s++) {
		size_t n = strlen(s->name);

		if (!strncmp(a, s->name, n) && (a[n] == '\0' || a[n] == '='))
			return s;
		if (s->alias && a[0] == '-' && a[1] == s->alias && a[2] == '\0')
			return s;
	}
	return NULL;
}

/* Options end at the first operand, or after "--"; a command without
 * operands has no end but the last argument. */
static int options_over(struct options *o, const char *a)
{
	if (!o->operands)
		return 0;
	if (!strcmp(a, "--")) {
		o->i++;
		return 1;
	}
	return a[0] != '-';
}

static int spec_value(struct options *o, const struct options_spec *s, const char *a,
		      const char **value)
{
	const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;

	*value = NULL;
	o->i++;
	if (!s->takes_value) {
		if (eq)
			options_error(o, "%s takes no value", s->name);
		return eq ? OPTIONS_BAD : s->id;
	}
	if (eq) {
		*value = eq + 1;
		return s->id;
	}
	if (o->i >= o->argc) {
		options_error(o, "%s needs a value", a);
		return OPTIONS_BAD;
	}
	*value = o->argv[o->i++];
	return s->id;
}

int options_next(struct options *o, const char **value)
{
	const struct options_spec *s;
	const char *a;

	if (o->i >= o->argc)
		return OPTIONS_END;
	a = o->argv[o->i];
	if (options_over(o, a))
		return OPTIONS_END;
	if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
		o->i++;
		return OPTIONS_HELP;
	}
	s = spec_find(o->specs, a);
	if (!s) {
		options_error(o, "unknown option '%s'", a);
		return OPTIONS_BAD;
	}
	return spec_value(o, s, a, value);
}

int options_parse(struct options *o,
		  int (*take)(struct options *o, int id, const char *value, void *ctx), void *ctx)
{
	const char *value;
	int id;

	while ((id = options_next(o, &value)) >= 0)
		if (take(o, id, value, ctx))
			return OPTIONS_USAGE_ERROR;
	if (id == OPTIONS_HELP) {
		o->usage(stdout);
		exit(0);
	}
	return id == OPTIONS_BAD ? OPTIONS_USAGE_ERROR : 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lwknoise PROBE [OPTIONS]: the command line, the checks that come before
 * a run (every refusal is one line and exit status 2), the run, and its
 * outputs (lwknoise.h).
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include "lwknoise.h"
#include "options.h"

#define DEFAULT_SAMPLES 10000
#define DEFAULT_DETOURS_KEPT 100000
#define DEFAULT_SECONDS_DETOUR 1.0
#define DEFAULT_WORK 256
#define DEFAULT_INTERVAL 262144
#define DEFAULT_THRESHOLD_DETOUR "10x"
#define DEFAULT_THRESHOLD "1.1x" /* fwq, ftq */
#define MIN_INTERVAL 1000
#define MAX_SECONDS 86400

static void usage(FILE *f)
{
	fputs("usage: lwknoise PROBE [OPTIONS]\n"
	      "  Measure OS noise: one thread pinned on each core asked for, all probing at\n"
	      "  once, with no system call while they probe (so on an LWK core the kernel is\n"
	      "  never entered). The same binary runs on Linux cores, and on LWK cores under\n"
	      "  lwkexec: 'lwkexec --cores 1-2 lwknoise fwq --cores all'.\n"
	      "PROBE:\n"
	      "  fwq     fixed work quanta: samples of --work units each; a sample is its\n"
	      "          length in TSC ticks\n"
	      "  ftq     fixed time quanta: intervals of --interval ticks, aligned to multiples\n"
	      "          of it on the TSC (the same on every core); a sample is the number of\n"
	      "          work units done in it\n"
	      "  detour  selfish detour: a bare rdtsc loop for --seconds; a sample is a detour,\n"
	      "          an iteration longer than the shortest by more than the threshold\n"
	      "  A work unit is 64 dependent 64-bit multiply-adds.\n"
	      "Options:\n"
	      "  --cores LIST      cores to probe, e.g. 0,2-3, or 'all' (every core this process\n"
	      "                    may run on); default: the core lwknoise starts on\n"
	      "  --samples N       fwq, ftq: samples after a warm-up (default 10000);\n"
	      "                    detour: detours kept for --csv and the median (default\n"
	      "                    100000; more are still counted)\n"
	      "  --seconds S       fwq, ftq: run S seconds instead of --samples;\n"
	      "                    detour: how long to run (default 1)\n"
	      "  --work W          fwq: work units per sample (default 256)\n"
	      "  --interval T      ftq: ticks per interval (default 262144, at least 1000)\n"
	      "  --threshold T|Kx  what is a detour: a sample that lost more than T ticks; or\n"
	      "                    (Kx) fwq: a sample over K times the shortest (default\n"
	      "                    1.1x); ftq: an interval with under 1/K of the most work\n"
	      "                    (default 1.1x); detour: an iteration over K times the\n"
	      "                    shortest, measured before the run (default 10x). A detour's\n"
	      "                    length is its excess over the shortest sample or iteration\n"
	      "                    (fwq, detour), or the ticks its missing work stands for (ftq)\n"
	      "  --csv FILE        raw samples, one line each: core,index,tsc,value\n"
	      "  --json FILE       the summary (default: standard output)\n"
	      "The JSON summary gives per core: min/median/max sample, detours, detours per\n"
	      "second, max detour, noise overhead (sum of detours / run time); and the TSC rate\n"
	      "and how it was measured. Exit status: 0; 2 for a command line, core or file\n"
	      "refused (one line on stderr says why); 1 if the run failed.\n",
	      f);
}

enum {
	OPT_CORES,
	OPT_SAMPLES,
	OPT_SECONDS,
	OPT_WORK,
	OPT_INTERVAL,
	OPT_THRESHOLD,
	OPT_CSV,
	OPT_JSON
};

static const struct options_spec specs[] = {
	{ "--cores", 0, 1, OPT_CORES },
	{ "--samples", 0, 1, OPT_SAMPLES },
	{ "--seconds", 0, 1, OPT_SECONDS },
	{ "--work", 0, 1, OPT_WORK },
	{ "--interval", 0, 1, OPT_INTERVAL },
	{ "--threshold", 0, 1, OPT_THRESHOLD },
	{ "--csv", 0, 1, OPT_CSV },
	{ "--json", 0, 1, OPT_JSON },
	{ NULL, 0, 0, 0 },
};

/* The command line as given, before it is checked as a whole. */
struct args {
	struct noise_config *cfg;
	const char *cores, *samples, *seconds, *work, *interval, *csv, *json;
};

static int take(struct options *o, int id, const char *v, void *ctx)
{
	struct args *a = ctx;
	const char **slot[] = {
		[OPT_CORES] = &a->cores,       [OPT_SAMPLES] = &a->samples,
		[OPT_SECONDS] = &a->seconds,   [OPT_WORK] = &a->work,
		[OPT_INTERVAL] = &a->interval, [OPT_THRESHOLD] = &a->cfg->threshold_text,
		[OPT_CSV] = &a->csv,	       [OPT_JSON] = &a->json,
	};

	*slot[id] = v;
	return 0;
}

/* A whole number in [min, max], digits only. */
static int whole(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A positive decimal number, at most @max. */
static int positive(const char *s, double max, double *out)
{
	char *end;
	double v;

	if ((*s < '0' || *s > '9') && *s != '.')
		return -1;
	v = strtod(s, &end);
	if (end == s || *end || !(v > 0) || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_probe(struct options *o, const char *s, struct noise_config *cfg)
{
	for (unsigned int i = 0; i < PROBE_COUNT; i++)
		if (!strcmp(s, noise_probe_names[i])) {
			cfg->probe = (enum noise_probe)i;
			return 0;
		}
	return options_error(o, "unknown probe '%s' (fwq, ftq or detour)", s);
}

/* --threshold: "T" ticks or "Kx", K (1 or more) times the probe's best. */
static int parse_threshold(struct options *o, struct noise_config *cfg)
{
	const char *s;
	size_t len;
	char k[32];

	if (!cfg->threshold_text)
		cfg->threshold_text =
		    cfg->probe == PROBE_DETOUR ? DEFAULT_THRESHOLD_DETOUR : DEFAULT_THRESHOLD;
	s = cfg->threshold_text;
	len = strlen(s);
	if (len > 1 && len < sizeof(k) && s[len - 1] == 'x') {
		memcpy(k, s, len - 1);
		k[len - 1] = '\0';
		if (!positive(k, 1e9, &cfg->threshold_times) && cfg->threshold_times >= 1)
			return 0;
	} else if (!whole(s, 0, UINT64_MAX, &cfg->threshold_ticks)) {
		return 0;
	}
	return options_error(o,
			     "--threshold wants ticks (500) or a multiple, 1 or more, of the "
			     "best sample (1.1x), not '%s'",
			     s);
}

static int add_core(struct options *o, struct noise_config *cfg, unsigned long c)
{
	for (unsigned int i = 0; i < cfg->ncores; i++)
		if (cfg->cores[i] == (int)c)
			return options_error(o, "--cores lists core %lu twice", c);
	cfg->cores[cfg->ncores++] = (int)c;
	return 0;
}

/* --cores: "all", or a list of cores and ranges ("0,2-3"). */
static int parse_cores(struct options *o, const char *s, struct noise_config *cfg)
{
	const char *p = s;
	char *end;

	cfg->cores = calloc(CPU_SETSIZE, sizeof(int));
	if (!cfg->cores)
		return options_error(o, "out of memory");
	if (!strcmp(s, "all")) {
		cfg->ncores = place_all(cfg->cores, CPU_SETSIZE);
		if (!cfg->ncores)
			return options_error(o, "--cores all: sched_getaffinity: %s",
					     strerror(errno));
		return 0;
	}
	for (;;) {
		unsigned long lo, hi;

		if (*p < '0' || *p > '9')
			break;
		lo = hi = strtoul(p, &end, 10);
		p = end;
		if (*p == '-') {
			if (p[1] < '0' || p[1] > '9')
				break;
			hi = strtoul(p + 1, &end, 10);
			p = end;
		}
		if (hi < lo || hi >= CPU_SETSIZE)
			break;
		for (unsigned long c = lo; c <= hi; c++)
			if (add_core(o, cfg, c))
				return NOISE_USAGE_ERROR;
		if (!*p)
			return 0;
		if (*p++ != ',')
			break;
	}
	return options_error(o,
			     "--cores wants a list of cores like 0,2-3 (each below %d) or 'all', "
			     "not '%s'",
			     CPU_SETSIZE, s);
}

/* The run's length: --samples and --seconds, as the probe takes them. */
static int parse_length(struct options *o, const struct args *a, struct noise_config *cfg)
{
	int detour = cfg->probe == PROBE_DETOUR;

	cfg->samples = detour ? DEFAULT_DETOURS_KEPT : DEFAULT_SAMPLES;
	cfg->seconds = detour ? DEFAULT_SECONDS_DETOUR : 0;
	if (a->samples && !detour && a->seconds)
		return options_error(o, "give --samples or --seconds, not both");
	if (a->samples && whole(a->samples, 0, UINT64_MAX, &cfg->samples))
		return options_error(o, "--samples wants a number of samples, not '%s'",
				     a->samples);
	if (!cfg->samples)
		return options_error(o, "--samples 0: a run needs at least one sample");
	if (a->seconds && positive(a->seconds, MAX_SECONDS, &cfg->seconds))
		return options_error(o,
				     "--seconds wants a time in seconds above 0 (at most %d), "
				     "not '%s'",
				     MAX_SECONDS, a->seconds);
	return 0;
}

static int parse_sizes(struct options *o, const struct args *a, struct noise_config *cfg)
{
	cfg->work = DEFAULT_WORK;
	cfg->interval = DEFAULT_INTERVAL;
	if (a->work && cfg->probe != PROBE_FWQ)
		return options_error(o, "--work is for fwq (ftq counts units in --interval ticks)");
	if (a->interval && cfg->probe != PROBE_FTQ)
		return options_error(o, "--interval is for ftq");
	if (a->work && whole(a->work, 1, 1ull << 32, &cfg->work))
		return options_error(o, "--work wants work units per sample, 1 or more, not '%s'",
				     a->work);
	if (a->interval && whole(a->interval, MIN_INTERVAL, 1ull << 48, &cfg->interval))
		return options_error(o, "--interval wants ticks, %d or more, not '%s'",
				     MIN_INTERVAL, a->interval);
	return 0;
}

/* Options, then PROBE, then more options. */
static int parse(int argc, char **argv, struct args *a)
{
	struct options o = { .prog = "lwknoise",
			     .specs = specs,
			     .operands = 1,
			     .usage = usage,
			     .argc = argc,
			     .argv = argv,
			     .i = 1 };
	struct noise_config *cfg = a->cfg;

	if (options_parse(&o, take, a))
		return NOISE_USAGE_ERROR;
	if (o.i >= argc)
		return options_error(&o, "name a probe: fwq, ftq or detour");
	if (parse_probe(&o, argv[o.i++], cfg) || options_parse(&o, take, a))
		return NOISE_USAGE_ERROR;
	if (o.i < argc)
		return options_error(&o, "unexpected argument '%s' after the probe", argv[o.i]);
	if (parse_length(&o, a, cfg) || parse_sizes(&o, a, cfg) || parse_threshold(&o, cfg))
		return NOISE_USAGE_ERROR;
	if (a->cores)
		return parse_cores(&o, a->cores, cfg);
	return 0;
}

/* Every core asked for must be one this process may run on. */
static int check_cores(struct noise_config *cfg)
{
	char allowed[4096];

	if (!cfg->cores) {
		cfg->cores = calloc(1, sizeof(int));
		if (!cfg->cores)
			return NOISE_RUN_ERROR;
		cfg->cores[0] = place_current();
		cfg->ncores = 1;
	}
	for (unsigned int i = 0; i < cfg->ncores; i++) {
		if (place_allowed(cfg->cores[i]))
			continue;
		fprintf(stderr,
			"lwknoise: core %d is unknown, offline or outside this process's affinity; "
			"this process may run on cores %s\n",
			cfg->cores[i], place_allowed_text(allowed, sizeof(allowed)));
		return NOISE_USAGE_ERROR;
	}
	return 0;
}

static FILE *open_output(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fprintf(stderr, "lwknoise: cannot write %s: %s\n", path, strerror(errno));
	return f;
}

static int close_output(FILE *f, const char *path)
{
	int bad = fflush(f) || ferror(f);

	if (f != stdout)
		bad |= fclose(f) != 0;
	if (bad)
		fprintf(stderr, "lwknoise: writing %s failed: %s\n", path, strerror(errno));
	return bad ? NOISE_RUN_ERROR : 0;
}

int main(int argc, char **argv)
{
	struct noise_config cfg = { 0 };
	struct args a = { .cfg = &cfg };
	struct noise_core *runs;
	FILE *json = stdout, *csv = NULL;
	int status;

	status = parse(argc, argv, &a);
	if (!status)
		status = check_cores(&cfg);
	if (status)
		return status;
	if ((a.json && !(json = open_output(a.json))) || (a.csv && !(csv = open_output(a.csv))))
		return NOISE_USAGE_ERROR;
	runs = calloc(cfg.ncores, sizeof(*runs));
	if (!runs)
		return NOISE_RUN_ERROR;
	for (unsigned int i = 0; i < cfg.ncores; i++)
		runs[i] = (struct noise_core){ .core = cfg.cores[i], .cfg = &cfg };
	probe_tsc_rate(&cfg);
	if (!(cfg.tsc_hz > 0)) {
		fprintf(stderr, "lwknoise: the TSC did not advance against CLOCK_MONOTONIC\n");
		return NOISE_RUN_ERROR;
	}
	status = place_run(&cfg, runs);
	if (status)
		return status;
	for (unsigned int i = 0; i < cfg.ncores; i++)
		report_figures(&runs[i]);
	if (csv) {
		report_csv(csv, &cfg, runs);
		status |= close_output(csv, a.csv);
	}
	report_json(json, &cfg, runs);
	status |= close_output(json, a.json ? a.json : "standard output");
	return status;
}

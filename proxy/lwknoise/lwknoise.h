/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lwknoise: OS-noise probes (fwq, ftq, selfish detour), one thread pinned
 * on each core asked for, all running at once. A plain Linux program: the
 * same binary runs on Linux cores and on LWK cores under lwkexec.
 *
 * A probe's loop makes no system call, so that on an LWK core it takes no
 * kernel entry at all: everything that needs the kernel (pinning, memory,
 * the TSC rate, files) happens before the loop or after it.
 *
 *   lwknoise.c  options, the run as a whole, exit statuses
 *   place.c     one thread per core: pinning, the start line
 *   probe.c     calibration and the three probe loops
 *   report.c    per-core figures, the JSON summary and the CSV samples
 */
#pragma once

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define NOISE_USAGE_ERROR 2 /* a command line, core or file refused */
#define NOISE_RUN_ERROR 1   /* the run itself failed */

enum noise_probe { PROBE_FWQ, PROBE_FTQ, PROBE_DETOUR };
#define PROBE_COUNT 3
extern const char *const noise_probe_names[PROBE_COUNT]; /* "fwq", ... */

/* One recorded sample: fwq, its start and length in ticks; ftq, an
 * interval's start and the work units done in it; detour, a detour's
 * start and its length beyond the shortest iteration. */
struct noise_sample {
	uint64_t tsc;
	uint64_t value;
};

struct noise_config {
	enum noise_probe probe;
	int *cores; /* the cores to probe, in the order given */
	unsigned int ncores;
	uint64_t samples;	    /* fwq/ftq: how many; detour: how many to keep */
	double seconds;		    /* > 0: run this long instead of a sample count */
	uint64_t work;		    /* fwq: work units per sample */
	uint64_t interval;	    /* ftq: ticks per interval */
	uint64_t threshold_ticks;   /* when threshold_times is 0 */
	double threshold_times;	    /* > 0: this many shortest iterations */
	const char *threshold_text; /* as given, for the summary */
	double tsc_hz;
	const char *tsc_how; /* how tsc_hz was found */
	int tsc_invariant;   /* CPUID says the TSC runs at a constant rate */
};

/* What one core's thread prepared, recorded and found. */
struct noise_core {
	int core;
	const struct noise_config *cfg;
	struct noise_sample *s;
	uint64_t cap;		/* room in s */
	uint64_t n;		/* samples recorded */
	uint64_t min_iteration; /* the shortest rdtsc-loop iteration, ticks */
	uint64_t threshold;	/* ticks lost beyond which time is a detour */
	uint64_t start, end;	/* the probe's run on the TSC */
	/* detour counts its detours while it runs (it keeps only cap of
	 * them); fwq and ftq have theirs found afterwards (report.c) */
	uint64_t detours, detour_ticks, max_detour;
	int err; /* an errno from preparing, 0 if ready */
};

/* place.c: run @cfg's probe on each of its cores, one thread each, all
 * started together; 0, or an exit status after saying why on stderr. */
int place_run(const struct noise_config *cfg, struct noise_core *runs);
/* The cores this process may run on (sched_getaffinity), as "0-3,6". */
const char *place_allowed_text(char *buf, size_t len);
/* Whether this process may run on @core. */
int place_allowed(int core);
/* The core the caller runs on now. */
int place_current(void);
/* Every core this process may run on, in @out (room for @max); how many. */
unsigned int place_all(int *out, unsigned int max);

/* probe.c */
void probe_tsc_rate(struct noise_config *cfg);
/* Calibrate on the caller's core and allocate @r's samples: 0 or an errno. */
int probe_prepare(struct noise_core *r);
void probe_run(struct noise_core *r);

/* report.c: a core's figures after its run, then the outputs (the caller
 * checks the streams for errors). */
void report_figures(struct noise_core *r);
void report_json(FILE *f, const struct noise_config *cfg, const struct noise_core *runs);
void report_csv(FILE *f, const struct noise_config *cfg, const struct noise_core *runs);

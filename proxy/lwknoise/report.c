// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a run found, per core. Every probe comes down to time lost in
 * ticks: fwq, a sample's excess over the core's shortest sample; ftq, an
 * interval's shortfall in work units against the core's best interval,
 * turned into ticks; detour, an iteration's excess over the shortest
 * iteration. Lost time beyond the threshold is a detour; the noise
 * overhead is the detours' sum over the run's length.
 */
#include <inttypes.h>
#include <stdlib.h>
#include "lwknoise.h"

const char *const noise_probe_names[PROBE_COUNT] = { "fwq", "ftq", "detour" };

static void add_detour(struct noise_core *r, uint64_t lost)
{
	if (lost <= r->threshold)
		return;
	r->detours++;
	r->detour_ticks += lost;
	if (lost > r->max_detour)
		r->max_detour = lost;
}

static uint64_t min_value(const struct noise_core *r)
{
	uint64_t min = UINT64_MAX;

	for (uint64_t i = 0; i < r->n; i++)
		if (r->s[i].value < min)
			min = r->s[i].value;
	return min;
}

static uint64_t max_value(const struct noise_core *r)
{
	uint64_t max = 0;

	for (uint64_t i = 0; i < r->n; i++)
		if (r->s[i].value > max)
			max = r->s[i].value;
	return max;
}

/* The threshold in ticks of lost time: as given, or from a multiple of
 * the run's best (fwq: a sample K times the shortest; ftq: an interval
 * with 1/K of the most work). detour's was set before its run. */
static uint64_t threshold_of(const struct noise_core *r, uint64_t best)
{
	double k = r->cfg->threshold_times;

	if (k <= 0)
		return r->cfg->threshold_ticks;
	if (r->cfg->probe == PROBE_FWQ)
		return (uint64_t)((k - 1) * (double)best);
	return (uint64_t)((1 - 1 / k) * (double)r->cfg->interval);
}

void report_figures(struct noise_core *r)
{
	uint64_t len = r->cfg->interval, best;

	switch (r->cfg->probe) {
	case PROBE_FWQ:
		best = min_value(r);
		r->threshold = threshold_of(r, best);
		for (uint64_t i = 0; i < r->n; i++)
			add_detour(r, r->s[i].value - best);
		break;
	case PROBE_FTQ:
		/* an interval shorter than one unit would do no work at all:
		 * then it is all lost */
		best = max_value(r);
		r->threshold = threshold_of(r, best);
		for (uint64_t i = 0; i < r->n; i++)
			add_detour(r, best ? (best - r->s[i].value) * len / best : len);
		break;
	case PROBE_DETOUR:
		break; /* counted as it ran */
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* min, median and max of the samples' values, as JSON (null with none) */
static void json_spread(FILE *f, const struct noise_core *r)
{
	uint64_t *v = r->n ? malloc(r->n * sizeof(*v)) : NULL;

	if (!v) {
		fprintf(f, "\"min\": null, \"median\": null, \"max\": null");
		return;
	}
	for (uint64_t i = 0; i < r->n; i++)
		v[i] = r->s[i].value;
	qsort(v, r->n, sizeof(*v), cmp_u64);
	fprintf(f, "\"min\": %" PRIu64 ", \"median\": %" PRIu64 ", \"max\": %" PRIu64, v[0],
		v[r->n / 2], v[r->n - 1]);
	free(v);
}

static void json_core(FILE *f, const struct noise_config *cfg, const struct noise_core *r)
{
	uint64_t run = r->end - r->start;
	double secs = (double)run / cfg->tsc_hz;

	fprintf(f, "    {\"core\": %d, \"samples\": %" PRIu64 ", ", r->core, r->n);
	json_spread(f, r);
	if (cfg->probe == PROBE_DETOUR)
		fprintf(f, ", \"min_iteration_ticks\": %" PRIu64, r->min_iteration);
	fprintf(f,
		",\n     \"threshold_ticks\": %" PRIu64 ", \"detours\": %" PRIu64
		", \"detours_per_s\": %.6g,\n",
		r->threshold, r->detours, secs > 0 ? (double)r->detours / secs : 0);
	fprintf(f,
		"     \"max_detour_ticks\": %" PRIu64
		", \"max_detour_us\": %.6g, \"detour_ticks\": %" PRIu64
		", \"noise_overhead\": %.6g,\n",
		r->max_detour, (double)r->max_detour * 1e6 / cfg->tsc_hz, r->detour_ticks,
		run ? (double)r->detour_ticks / (double)run : 0);
	fprintf(f, "     \"start_tsc\": %" PRIu64 ", \"run_ticks\": %" PRIu64 ", \"run_s\": %.6g}",
		r->start, run, secs);
}

/* What the probe ran with: the settings that matter for it. */
static void json_settings(FILE *f, const struct noise_config *cfg)
{
	switch (cfg->probe) {
	case PROBE_FWQ:
		fprintf(f, "  \"work_units\": %" PRIu64 ", \"sample_unit\": \"ticks\",\n",
			cfg->work);
		break;
	case PROBE_FTQ:
		fprintf(f, "  \"interval_ticks\": %" PRIu64 ", \"sample_unit\": \"work units\",\n",
			cfg->interval);
		break;
	case PROBE_DETOUR:
		fprintf(f,
			"  \"sample_unit\": \"detour ticks\", \"samples_kept_max\": %" PRIu64 ",\n",
			cfg->samples);
		break;
	}
	if (cfg->seconds > 0)
		fprintf(f, "  \"seconds\": %.6g,\n", cfg->seconds);
}

void report_json(FILE *f, const struct noise_config *cfg, const struct noise_core *runs)
{
	fprintf(f, "{\n  \"probe\": \"%s\",\n", noise_probe_names[cfg->probe]);
	fprintf(f, "  \"tsc_hz\": %.0f, \"tsc_hz_source\": \"%s\", \"tsc_invariant\": %s,\n",
		cfg->tsc_hz, cfg->tsc_how, cfg->tsc_invariant ? "true" : "false");
	json_settings(f, cfg);
	fprintf(f, "  \"threshold\": \"%s\",\n  \"cores\": [\n", cfg->threshold_text);
	for (unsigned int i = 0; i < cfg->ncores; i++) {
		json_core(f, cfg, &runs[i]);
		fputs(i + 1 < cfg->ncores ? ",\n" : "\n", f);
	}
	fputs("  ]\n}\n", f);
}

void report_csv(FILE *f, const struct noise_config *cfg, const struct noise_core *runs)
{
	fputs("core,index,tsc,value\n", f);
	for (unsigned int c = 0; c < cfg->ncores; c++) {
		const struct noise_core *r = &runs[c];

		for (uint64_t i = 0; i < r->n; i++)
			fprintf(f, "%d,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", r->core, i,
				r->s[i].tsc, r->s[i].value);
	}
}

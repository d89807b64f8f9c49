// SPDX-License-Identifier: GPL-2.0-only
/*
 * The probes and what they need measured first: the TSC rate, the
 * shortest iteration of a bare rdtsc loop, and (fwq) how long a sample
 * takes. Everything here between probe_run's first and last rdtsc is
 * plain computation and stores into memory that is already touched: no
 * system call, no page fault.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lwknoise.h"

#define TSC_RATE_NS 100000000ull /* measure the TSC rate over 100 ms */
#define CALIBRATE_BLOCKS 2000	 /* blocks of ... */
#define CALIBRATE_BLOCK 64	 /* ... rdtsc-loop iterations */
#define UNIT_STEPS 64		 /* dependent multiply-adds in a work unit */
#define FWQ_WARMUP 200		 /* samples run and dropped before fwq */
#define FTQ_WARMUP 20		 /* intervals of work before ftq */

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* rdtsc after everything before it has completed: the edges of a fwq
 * sample, so that its work is not counted in the next one. */
static inline uint64_t rdtsc_after(void)
{
	__asm__ volatile("lfence" ::: "memory");
	return rdtsc();
}

/* @units work units: a chain of dependent multiply-adds (a 64-bit LCG),
 * each step kept opaque to the compiler so that it cannot fold them. */
static inline uint64_t work(uint64_t x, uint64_t units)
{
	for (uint64_t u = 0; u < units; u++)
		for (int i = 0; i < UNIT_STEPS; i++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			__asm__ volatile("" : "+r"(x));
		}
	return x;
}

static volatile uint64_t work_sink; /* where the work's result goes */

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The TSC's rate, measured against CLOCK_MONOTONIC (on an LWK core that
 * clock is the LWK's own, kept from the TSC at the rate its boot
 * description gave). CPUID 0x80000007 says whether the rate is
 * constant; CPUID 0x15 is not used, as virtual CPUs seldom fill it in. */
void probe_tsc_rate(struct noise_config *cfg)
{
	unsigned int a, b, c, d;
	uint64_t t0, t1, c0, c1;

	t0 = monotonic_ns();
	c0 = rdtsc_after();
	do
		t1 = monotonic_ns();
	while (t1 - t0 < TSC_RATE_NS);
	c1 = rdtsc_after();
	cfg->tsc_hz = (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
	cfg->tsc_how = "rdtsc against clock_gettime(CLOCK_MONOTONIC) over 100 ms";
	cfg->tsc_invariant = __get_cpuid(0x80000007, &a, &b, &c, &d) && (d & (1u << 8));
}

/* detour: the shortest time one iteration of its bare rdtsc loop takes:
 * the shortest of many blocks of iterations, divided by their count, as a
 * TSC that advances in steps coarser than one iteration (a virtual one,
 * often) would make a single iteration look free. At least 1. */
static uint64_t min_iteration(void)
{
	uint64_t best = UINT64_MAX;

	for (int b = 0; b < CALIBRATE_BLOCKS; b++) {
		uint64_t t0 = rdtsc(), t = t0;

		for (int i = 0; i < CALIBRATE_BLOCK; i++)
			t = rdtsc();
		if (t - t0 < best)
			best = t - t0;
	}
	best /= CALIBRATE_BLOCK;
	return best ? best : 1;
}

/* fwq: run and drop the warm-up samples; the shortest of them, ticks. */
static uint64_t fwq_warmup(uint64_t units)
{
	uint64_t best = UINT64_MAX, x = 1, t = rdtsc_after();

	for (int i = 0; i < FWQ_WARMUP; i++) {
		uint64_t t1;

		x = work(x, units);
		t1 = rdtsc_after();
		if (t1 - t < best)
			best = t1 - t;
		t = t1;
	}
	work_sink = x;
	return best ? best : 1;
}

static void ftq_warmup(uint64_t interval)
{
	uint64_t x = 1, stop = rdtsc() + FTQ_WARMUP * interval;

	while (rdtsc() < stop)
		x = work(x, 1);
	work_sink = x;
}

/* How many samples @r's run keeps room for; @fwq_min, the shortest fwq
 * warm-up sample. */
static uint64_t sample_room(struct noise_core *r, uint64_t fwq_min)
{
	const struct noise_config *cfg = r->cfg;
	double ticks = cfg->seconds * cfg->tsc_hz;

	if (cfg->probe == PROBE_DETOUR || cfg->seconds <= 0)
		return cfg->samples;
	if (cfg->probe == PROBE_FTQ)
		return (uint64_t)(ticks / (double)cfg->interval) + 1;
	/* fwq for a time: the warm-up's shortest sample says how many fit,
	 * with room for samples a little shorter still */
	return (uint64_t)(ticks / (double)fwq_min * 1.25) + 64;
}

int probe_prepare(struct noise_core *r)
{
	const struct noise_config *cfg = r->cfg;
	uint64_t fwq_min = 0;

	if (cfg->probe == PROBE_DETOUR) {
		r->min_iteration = min_iteration();
		r->threshold =
		    cfg->threshold_times > 0
			? (uint64_t)((cfg->threshold_times - 1) * (double)r->min_iteration)
			: cfg->threshold_ticks;
	}
	if (cfg->probe == PROBE_FWQ)
		fwq_min = fwq_warmup(cfg->work);
	if (cfg->probe == PROBE_FTQ)
		ftq_warmup(cfg->interval);
	r->cap = sample_room(r, fwq_min);
	if (r->cap > SIZE_MAX / sizeof(*r->s))
		return ENOMEM;
	r->s = malloc(r->cap * sizeof(*r->s));
	if (!r->s)
		return ENOMEM;
	/* touched now, so that the loop takes no page fault (on Linux) */
	memset(r->s, 0, r->cap * sizeof(*r->s));
	return 0;
}

/* The run's last tick if it runs for a time, else the end of the TSC. */
static uint64_t deadline(const struct noise_core *r, uint64_t start)
{
	const struct noise_config *cfg = r->cfg;

	if (cfg->probe != PROBE_DETOUR && cfg->seconds <= 0)
		return UINT64_MAX;
	return start + (uint64_t)(cfg->seconds * cfg->tsc_hz);
}

/* Each sample starts where the last one ended, so that no time between
 * samples goes unmeasured. */
static void run_fwq(struct noise_core *r)
{
	uint64_t units = r->cfg->work, x = 1, n = 0, t = rdtsc_after();
	uint64_t stop = deadline(r, t);

	r->start = t;
	while (n < r->cap) {
		uint64_t t1;

		x = work(x, units);
		t1 = rdtsc_after();
		r->s[n].tsc = t;
		r->s[n].value = t1 - t;
		n++;
		t = t1;
		if (t >= stop)
			break;
	}
	r->end = t;
	r->n = n;
	work_sink = x;
}

/* Intervals start at multiples of the interval on the TSC, the same on
 * every core (their TSCs agree), so that cores probed together share
 * them. An interval a detour took whole counts 0 units. */
static void run_ftq(struct noise_core *r)
{
	uint64_t len = r->cfg->interval, x = 1, start = (rdtsc() / len + 1) * len;

	while (rdtsc() < start)
		;
	r->start = start;
	for (uint64_t i = 0; i < r->cap; i++) {
		uint64_t units = 0, stop = start + len;

		while (rdtsc() < stop) {
			x = work(x, 1);
			units++;
		}
		r->s[i].tsc = start;
		r->s[i].value = units;
		start = stop;
	}
	r->end = start;
	r->n = r->cap;
	work_sink = x;
}

/* Every iteration longer than the shortest by more than the threshold is
 * a detour; the first cap of them are kept, all are counted. */
static void run_detour(struct noise_core *r)
{
	uint64_t last = rdtsc(), stop = deadline(r, last), base = r->min_iteration;
	uint64_t limit = base + r->threshold, n = 0, count = 0, sum = 0, max = 0;

	r->start = last;
	while (last < stop) {
		uint64_t now = rdtsc(), d = now - last;

		if (d > limit) {
			d -= base;
			if (n < r->cap) {
				r->s[n].tsc = last;
				r->s[n].value = d;
				n++;
			}
			count++;
			sum += d;
			if (d > max)
				max = d;
		}
		last = now;
	}
	r->end = last;
	r->n = n;
	r->detours = count;
	r->detour_ticks = sum;
	r->max_detour = max;
}

void probe_run(struct noise_core *r)
{
	switch (r->cfg->probe) {
	case PROBE_FWQ:
		run_fwq(r);
		break;
	case PROBE_FTQ:
		run_ftq(r);
		break;
	case PROBE_DETOUR:
		run_detour(r);
		break;
	}
}

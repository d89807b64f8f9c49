// SPDX-License-Identifier: GPL-2.0-only
/*
 * One thread on each core asked for, all starting their probe at once.
 *
 * On Linux a thread pins itself with sched_setaffinity. On an LWK a
 * thread never moves: clone places a process's threads on its cores in
 * turn, and sched_setaffinity only accepts the core a thread is on
 * (EINVAL for any other). So each thread first takes the core it finds
 * itself on, if that one is wanted and free; else it tries to pin itself
 * to each free wanted core; a thread that gets none ends, and another is
 * started, which an LWK places on its next core. A bounded number of
 * tries, then the core that no thread could take is named.
 *
 * Threads wait for the start asleep (on an LWK, the thread that shares
 * main's core must let main run), then meet at a barrier they spin on,
 * and run: from there to the end of the probe, no system call.
 */
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "lwknoise.h"

struct place {
	const struct noise_config *cfg;
	struct noise_core *runs;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int *taken;   /* per wanted core: a thread holds it */
	int *pin_err; /* per wanted core: the last errno of pinning there */
	unsigned int placed, reports, ready;
	int go; /* 1: run; -1: give up */
	atomic_uint arrived;
};

static int pin(int core)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(core, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? errno : 0;
}

static int take(struct place *pl, unsigned int slot)
{
	int ok;

	pthread_mutex_lock(&pl->lock);
	ok = !pl->taken[slot];
	pl->taken[slot] = 1;
	pthread_mutex_unlock(&pl->lock);
	return ok;
}

static int taken(struct place *pl, unsigned int slot)
{
	int t;

	pthread_mutex_lock(&pl->lock);
	t = pl->taken[slot];
	pthread_mutex_unlock(&pl->lock);
	return t;
}

static void refuse(struct place *pl, unsigned int slot, int err, int release)
{
	pthread_mutex_lock(&pl->lock);
	pl->pin_err[slot] = err;
	if (release)
		pl->taken[slot] = 0;
	pthread_mutex_unlock(&pl->lock);
}

static int slot_of(const struct noise_config *cfg, int core)
{
	for (unsigned int i = 0; i < cfg->ncores; i++)
		if (cfg->cores[i] == core)
			return (int)i;
	return -1;
}

/* The wanted core this thread now holds and is pinned to, or -1. */
static int claim(struct place *pl)
{
	int slot = slot_of(pl->cfg, sched_getcpu()), err;

	if (slot >= 0 && take(pl, slot)) {
		err = pin(pl->cfg->cores[slot]);
		if (!err)
			return slot;
		refuse(pl, slot, err, 1);
	}
	for (unsigned int i = 0; i < pl->cfg->ncores; i++) {
		if (taken(pl, i))
			continue;
		err = pin(pl->cfg->cores[i]);
		if (err)
			refuse(pl, i, err, 0);
		else if (take(pl, i))
			return (int)i;
	}
	return -1;
}

static void count(struct place *pl, unsigned int *what, int placed)
{
	pthread_mutex_lock(&pl->lock);
	(*what)++;
	pl->placed += placed;
	pthread_cond_broadcast(&pl->cond);
	pthread_mutex_unlock(&pl->lock);
}

static void *worker(void *arg)
{
	struct place *pl = arg;
	int slot = claim(pl), go;
	struct noise_core *r;

	count(pl, &pl->reports, slot >= 0);
	if (slot < 0)
		return NULL;
	r = &pl->runs[slot];
	r->err = probe_prepare(r);
	count(pl, &pl->ready, 0);
	pthread_mutex_lock(&pl->lock);
	while (!pl->go)
		pthread_cond_wait(&pl->cond, &pl->lock);
	go = pl->go;
	pthread_mutex_unlock(&pl->lock);
	if (go < 0)
		return NULL;
	atomic_fetch_add(&pl->arrived, 1);
	while (atomic_load(&pl->arrived) < pl->cfg->ncores)
		__builtin_ia32_pause();
	probe_run(r);
	return NULL;
}

static void wait_for(struct place *pl, unsigned int *what, unsigned int n)
{
	pthread_mutex_lock(&pl->lock);
	while (*what < n)
		pthread_cond_wait(&pl->cond, &pl->lock);
	pthread_mutex_unlock(&pl->lock);
}

/* After a placement failed: the first wanted core no thread holds. */
static int say_unplaced(const struct place *pl)
{
	for (unsigned int i = 0; i < pl->cfg->ncores; i++) {
		int core = pl->cfg->cores[i];

		if (pl->taken[i])
			continue;
		if (pl->pin_err[i])
			fprintf(stderr,
				"lwknoise: cannot pin a thread to core %d: sched_setaffinity: %s\n",
				core, strerror(pl->pin_err[i]));
		else
			fprintf(stderr,
				"lwknoise: no thread of this process would run on core %d\n", core);
		break;
	}
	return NOISE_USAGE_ERROR;
}

static int say_unprepared(const struct place *pl)
{
	for (unsigned int i = 0; i < pl->cfg->ncores; i++) {
		const struct noise_core *r = &pl->runs[i];

		if (!r->err)
			continue;
		fprintf(stderr,
			"lwknoise: core %d: no memory for %llu samples (%s); ask for fewer with "
			"--samples or --seconds\n",
			r->core, (unsigned long long)r->cap, strerror(r->err));
		break;
	}
	return NOISE_USAGE_ERROR;
}

static int any_unprepared(const struct place *pl)
{
	for (unsigned int i = 0; i < pl->cfg->ncores; i++)
		if (pl->runs[i].err)
			return 1;
	return 0;
}

/* Start threads until every wanted core has one (or give up); then the
 * run. 0 or an exit status. */
static int start_all(struct place *pl, pthread_t *threads, unsigned int max, unsigned int *started)
{
	unsigned int n = pl->cfg->ncores;
	int err;

	while (pl->placed < n && *started < max) {
		err = pthread_create(&threads[*started], NULL, worker, pl);
		if (err) {
			fprintf(stderr, "lwknoise: cannot start a thread: %s\n", strerror(err));
			return NOISE_RUN_ERROR;
		}
		++*started;
		wait_for(pl, &pl->reports, *started);
	}
	if (pl->placed < n)
		return say_unplaced(pl);
	wait_for(pl, &pl->ready, n);
	return any_unprepared(pl) ? say_unprepared(pl) : 0;
}

int place_run(const struct noise_config *cfg, struct noise_core *runs)
{
	unsigned int max = cfg->ncores + 2;
	cpu_set_t all;
	struct place pl = { .cfg = cfg, .runs = runs };
	pthread_t *threads;
	unsigned int started = 0;
	int status;

	/* an LWK may place a thread on each of its cores before a wanted one */
	if (!sched_getaffinity(0, sizeof(all), &all))
		max += 2 * (unsigned int)CPU_COUNT(&all);
	threads = calloc(max, sizeof(*threads));
	pl.taken = calloc(cfg->ncores, sizeof(int));
	pl.pin_err = calloc(cfg->ncores, sizeof(int));
	if (!threads || !pl.taken || !pl.pin_err) {
		fprintf(stderr, "lwknoise: out of memory\n");
		return NOISE_RUN_ERROR;
	}
	pthread_mutex_init(&pl.lock, NULL);
	pthread_cond_init(&pl.cond, NULL);
	status = start_all(&pl, threads, max, &started);
	pthread_mutex_lock(&pl.lock);
	pl.go = status ? -1 : 1;
	pthread_cond_broadcast(&pl.cond);
	pthread_mutex_unlock(&pl.lock);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	free(pl.taken);
	free(pl.pin_err);
	return status;
}

int place_allowed(int core)
{
	cpu_set_t set;

	if (core < 0 || core >= CPU_SETSIZE || sched_getaffinity(0, sizeof(set), &set))
		return 0;
	return CPU_ISSET(core, &set);
}

int place_current(void)
{
	return sched_getcpu();
}

unsigned int place_all(int *out, unsigned int max)
{
	cpu_set_t set;
	unsigned int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			out[n++] = c;
	return n;
}

const char *place_allowed_text(char *buf, size_t len)
{
	int cores[CPU_SETSIZE];
	unsigned int n = place_all(cores, CPU_SETSIZE);
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n && at < len; i++) {
		unsigned int j = i;

		while (j + 1 < n && cores[j + 1] == cores[j] + 1)
			j++;
		if (j > i)
			at += snprintf(buf + at, len - at, "%s%d-%d", at ? "," : "", cores[i],
				       cores[j]);
		else
			at += snprintf(buf + at, len - at, "%s%d", at ? "," : "", cores[i]);
		i = j;
	}
	return buf;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lwkctl trace --cores LIST -- CMD ARGS...: every kernel entry on those LWK
 * cores while CMD runs (uapi/lwk/trace.h). Arming is a store into each
 * core's counter block and reading is loads from the rings, so the tracing
 * itself takes no kernel entry on the LWK. The rings are read every
 * TRACE_POLL_MS while CMD runs (a ring that wraps between two reads loses
 * its oldest records, and says how many), and once more when it is over.
 * It writes the channel: beside Linux only lwk.ko's admin may trace.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uapi/lwk/channel.h>
#include <uapi/lwk/counters.h>
#include <uapi/lwk/trace.h>
#include "lwkctl.h"
#include "partition.h"

#define TRACE_POLL_MS 10
#define TRACE_SETTLE_MS 50 /* after disarming: entries under way may end */
#define NSYSCALL_NAMES 512
#define NBUCKETS (LWK_COUNTERS_NSYSCALLS + 1 + LWK_COUNTERS_NVECTORS)

#define SYSCALL(nr, name, where, flags) [nr] = #name,
static const char *const syscall_names[NSYSCALL_NAMES] = {
#include <uapi/lwk/syscalls.def>
};
#undef SYSCALL

#define EXCEPTION(vec, name) [vec] = name,
static const char *const exception_names[32] = {
#include <uapi/arch/exceptions.def>
};
#undef EXCEPTION

struct trace_rec {
	uint64_t idx;
	uint32_t kind, nr;
	uint64_t start, end;
};

struct trace_core {
	unsigned int core;
	const struct lwk_trace_ring *ring;
	struct lwk_cpu_counters *counters;
	uint64_t next; /* the next record to copy */
	uint64_t lost;
	struct trace_rec *recs;
	size_t n, cap;
	size_t first_open; /* recs before it are closed or can no longer be */
};

struct trace_opts {
	const char *name, *csv, *cores;
};

void lwkctl_trace_usage(FILE *f)
{
	fputs("usage: lwkctl trace --cores LIST [--name NAME] [--csv FILE] -- CMD [ARGS...]\n"
	      "  Run CMD (a Linux command, typically 'lwkexec ...') and record every kernel\n"
	      "  entry on the LWK cores of LIST while it runs: system calls by number,\n"
	      "  exceptions and interrupts by vector, with the TSC at entry and exit. The\n"
	      "  tracing takes no kernel entry itself. Then print, per core, each kind of\n"
	      "  entry with its count and its total and longest time in the kernel (TSC\n"
	      "  ticks and microseconds; an interrupt inside a blocked call counts in both;\n"
	      "  OPEN entries never returned: exit_group, a fatal signal). Exits with CMD's\n"
	      "  status; CMD sees LWK_PARTITION set to the traced partition.\n"
	      "  --cores LIST  LWK cores to trace, e.g. 2 or 1,3-4 (lwkctl status lists them)\n"
	      "  --name NAME   which partition (default $LWK_PARTITION, else the only one);\n"
	      "                --partition NAME says the same\n"
	      "  --csv FILE    also write every record: core,kind,nr,tsc_start,tsc_end\n"
	      "                (kind syscall, exception or interrupt; tsc_end 0: never returned)\n"
	      "  One lwkctl traces a partition at a time. Beside Linux only root or lwk.ko's\n"
	      "  admin group may trace (it writes the channel); a ring holds the entries of\n"
	      "  a few milliseconds at the least, and records the reader missed are counted\n"
	      "  as lost.\n",
	      f);
}

enum { OPT_CORES, OPT_NAME, OPT_CSV };

static const struct options_spec trace_specs[] = {
	{ "--cores", 0, 1, OPT_CORES },
	{ "--name", 0, 1, OPT_NAME },
	{ "--partition", 0, 1, OPT_NAME },
	{ "--csv", 0, 1, OPT_CSV },
	{ NULL, 0, 0, 0 },
};

static int trace_take(struct options *it, int id, const char *v, void *ctx)
{
	struct trace_opts *o = ctx;

	if (id == OPT_CORES)
		o->cores = v;
	else if (id == OPT_NAME)
		o->name = v;
	else
		o->csv = v;
	return 0;
}

/* --cores: a list, or one number naming one core. */
static int parse_cores(const struct options *it, const char *s, uint64_t *mask)
{
	unsigned long one;
	unsigned int count;
	char err[256];

	if (!strpbrk(s, ",-")) {
		if (values_uint(s, 0, LWK_CHAN_MAX_CPUS - 1, &one))
			return options_error(it, "--cores '%s' is not a core or a list like 1,3-4",
					     s);
		memset(mask, 0, LWK_CHAN_MAX_CPUS / 8);
		mask[one / 64] |= 1ull << (one % 64);
		return 0;
	}
	if (values_cores(s, &count, mask, err, sizeof(err)))
		return options_error(it, "--cores %s", err);
	return 0;
}

/* The rings as the header describes them, checked against the mapping. */
static const struct lwk_trace_ring *core_ring(const struct partition *p, unsigned int c)
{
	const struct lwk_chan_header *h = p->hdr;
	uint64_t n = h->trace_nrecords, off = h->trace_off + (uint64_t)c * h->trace_size;
	const struct lwk_trace_ring *r;

	if (!n || (n & (n - 1)) || h->trace_size < sizeof(*r) + n * sizeof(r->rec[0]) ||
	    !partition_chan(p, off + h->trace_size - 1))
		return NULL;
	r = partition_chan(p, off);
	return r && r->magic == LWK_TRACE_MAGIC && r->cpu == c && r->nrecords == n ? r : NULL;
}

static struct lwk_cpu_counters *core_counters(const struct partition *p, unsigned int c)
{
	const struct lwk_chan_header *h = p->hdr;
	uint64_t off = h->counters_off + (uint64_t)c * h->counters_size;
	struct lwk_cpu_counters *k;

	if (!h->counters_off || h->counters_size < sizeof(*k) ||
	    !partition_chan(p, off + sizeof(*k) - 1))
		return NULL;
	k = partition_chan(p, off);
	return k && k->magic == LWK_COUNTERS_MAGIC ? k : NULL;
}

/* Take the partition's tracing: 0, or print why not and return 1. A
 * tracer that died without giving it back loses it, and what it armed. */
static int owner_take(struct partition *p)
{
	uint32_t *owner = &p->hdr->trace_owner, me = (uint32_t)getpid(), cur = 0;
	unsigned int ncpus = p->hdr->ncpus;

	if (__atomic_compare_exchange_n(owner, &cur, me, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return 0;
	if (kill((pid_t)cur, 0) == 0 || errno != ESRCH) {
		fprintf(stderr,
			"lwkctl: %s: lwkctl pid %u is tracing this partition already; wait for "
			"it to end\n",
			p->name, cur);
		return 1;
	}
	if (!__atomic_compare_exchange_n(owner, &cur, me, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		fprintf(stderr, "lwkctl: %s: another lwkctl took the tracing just now (pid %u)\n",
			p->name, cur);
		return 1;
	}
	for (unsigned int c = 0; c < ncpus && c < LWK_CHAN_MAX_CPUS; c++) {
		struct lwk_cpu_counters *k = core_counters(p, c);

		if (k)
			__atomic_store_n(&k->trace, 0, __ATOMIC_SEQ_CST);
	}
	return 0;
}

static void owner_give(struct partition *p)
{
	uint32_t me = (uint32_t)getpid();

	__atomic_compare_exchange_n(&p->hdr->trace_owner, &me, 0, 0, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
}

/* Copy record @idx from its slot: 0 if the slot held it throughout. */
static int copy_record(const struct lwk_trace_record *r, uint64_t idx, struct trace_rec *out)
{
	uint64_t s1 = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE), s2;

	out->idx = idx;
	out->kind = __atomic_load_n(&r->kind, __ATOMIC_RELAXED);
	out->nr = __atomic_load_n(&r->nr, __ATOMIC_RELAXED);
	out->start = __atomic_load_n(&r->tsc_start, __ATOMIC_RELAXED);
	out->end = __atomic_load_n(&r->tsc_end, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	s2 = __atomic_load_n(&r->seq, __ATOMIC_RELAXED);
	return s1 == idx + 1 && s2 == s1 ? 0 : -1;
}

static int append(struct trace_core *c, const struct trace_rec *t)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 4096;
		struct trace_rec *r = realloc(c->recs, cap * sizeof(*r));

		if (!r)
			return -1;
		c->recs = r;
		c->cap = cap;
	}
	c->recs[c->n++] = *t;
	return 0;
}

/* Records copied while their entry was still in the kernel: their exit,
 * if it came and the slot still holds them. */
static void recheck_open(struct trace_core *c, uint64_t head, uint64_t n)
{
	for (size_t j = c->first_open; j < c->n; j++) {
		struct trace_rec *t = &c->recs[j], again;

		if (t->end || t->idx + n < head)
			continue;
		if (!copy_record(&c->ring->rec[t->idx & (n - 1)], t->idx, &again))
			t->end = again.end;
	}
	while (c->first_open < c->n &&
	       (c->recs[c->first_open].end || c->recs[c->first_open].idx + n < head))
		c->first_open++;
}

static void drain(struct trace_core *c)
{
	uint64_t n = c->ring->nrecords;
	uint64_t head = __atomic_load_n(&c->ring->head, __ATOMIC_ACQUIRE);

	if (head < c->next)
		return; /* not this boot's ring any more */
	if (head - c->next > n) {
		c->lost += head - n - c->next;
		c->next = head - n;
	}
	for (; c->next < head; c->next++) {
		struct trace_rec t;

		if (copy_record(&c->ring->rec[c->next & (n - 1)], c->next, &t) || append(c, &t))
			c->lost++;
	}
	recheck_open(c, head, n);
}

static void drain_all(struct trace_core *cores, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		drain(&cores[i]);
}

static void arm(struct trace_core *cores, unsigned int n, uint32_t on)
{
	for (unsigned int i = 0; i < n; i++)
		__atomic_store_n(&cores[i].counters->trace, on, __ATOMIC_SEQ_CST);
}

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

/* Run CMD and read the rings until it ends: its wait status. */
static int run_traced(const struct partition *p, char **cmd, struct trace_core *cores,
		      unsigned int n)
{
	struct sigaction fwd = { .sa_handler = forward_signal }, ign = { .sa_handler = SIG_IGN };
	pid_t pid;
	int status = 0;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setenv("LWK_PARTITION", p->name, 1);
		execvp(cmd[0], cmd);
		fprintf(stderr, "lwkctl: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	/* Ctrl-C reaches CMD from the terminal; lwkctl stays to disarm. */
	child_pid = pid;
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	sigaction(SIGTERM, &fwd, NULL);
	sigaction(SIGHUP, &fwd, NULL);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			break;
		drain_all(cores, n);
		lwkctl_sleep_ms(TRACE_POLL_MS);
	}
	return status;
}

struct bucket {
	uint64_t count, open, total, max;
};

static size_t bucket_of(const struct trace_rec *t)
{
	if (t->kind == LWK_TRACE_SYSCALL)
		return t->nr < LWK_COUNTERS_NSYSCALLS ? t->nr : LWK_COUNTERS_NSYSCALLS;
	return LWK_COUNTERS_NSYSCALLS + 1 + (t->nr & 0xff);
}

static void bucket_name(const struct partition *p, size_t b, char *out, size_t len)
{
	unsigned int v = (unsigned int)(b - LWK_COUNTERS_NSYSCALLS - 1);

	if (b < LWK_COUNTERS_NSYSCALLS)
		snprintf(out, len, "syscall    %3zu %s", b,
			 syscall_names[b] ? syscall_names[b] : "?");
	else if (b == LWK_COUNTERS_NSYSCALLS)
		snprintf(out, len, "syscall   %4u+ (beyond the table)", LWK_COUNTERS_NSYSCALLS);
	else if (v < 32)
		snprintf(out, len, "exception  %3u %s", v, exception_names[v]);
	else
		snprintf(out, len, "interrupt 0x%02x %s", v,
			 v == p->hdr->wake_vector ? "wake-up IPI" : "");
}

static double ticks_us(const struct partition *p, uint64_t ticks)
{
	return p->hdr->tsc_hz ? (double)ticks * 1e6 / (double)p->hdr->tsc_hz : 0.0;
}

static void summarize(const struct partition *p, const struct trace_core *c)
{
	static struct bucket b[NBUCKETS];
	uint64_t total = 0, open = 0;
	char name[96];

	memset(b, 0, sizeof(b));
	for (size_t j = 0; j < c->n; j++) {
		const struct trace_rec *t = &c->recs[j];
		struct bucket *k = &b[bucket_of(t)];
		uint64_t d = t->end >= t->start ? t->end - t->start : 0;

		k->count++;
		if (!t->end) {
			k->open++;
			open++;
			continue;
		}
		k->total += d;
		total += d;
		if (d > k->max)
			k->max = d;
	}
	printf("core %u: %zu kernel entries, %" PRIu64 " ticks (%.1f us) in the kernel, %" PRIu64
	       " open, %" PRIu64 " lost\n",
	       c->core, c->n, total, ticks_us(p, total), open, c->lost);
	if (!c->n)
		return;
	printf("  %-40s %8s %5s %14s %12s %11s %9s\n", "KIND NR NAME", "COUNT", "OPEN",
	       "TOTAL_TICKS", "MAX_TICKS", "TOTAL_US", "MAX_US");
	for (size_t i = 0; i < NBUCKETS; i++) {
		if (!b[i].count)
			continue;
		bucket_name(p, i, name, sizeof(name));
		printf("  %-40s %8" PRIu64 " %5" PRIu64 " %14" PRIu64 " %12" PRIu64
		       " %11.1f %9.1f\n",
		       name, b[i].count, b[i].open, b[i].total, b[i].max, ticks_us(p, b[i].total),
		       ticks_us(p, b[i].max));
	}
}

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case LWK_TRACE_SYSCALL:
		return "syscall";
	case LWK_TRACE_EXCEPTION:
		return "exception";
	case LWK_TRACE_INTERRUPT:
		return "interrupt";
	default:
		return "unknown";
	}
}

static int write_csv(FILE *f, const char *path, const struct trace_core *cores, unsigned int n)
{
	fprintf(f, "core,kind,nr,tsc_start,tsc_end\n");
	for (unsigned int i = 0; i < n; i++)
		for (size_t j = 0; j < cores[i].n; j++) {
			const struct trace_rec *t = &cores[i].recs[j];

			fprintf(f, "%u,%s,%u,%" PRIu64 ",%" PRIu64 "\n", cores[i].core,
				kind_name(t->kind), t->nr, t->start, t->end);
		}
	if (fclose(f)) {
		fprintf(stderr, "lwkctl: cannot write the trace to %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	return 0;
}

/* The cores of @mask, their rings checked: how many, or -1 (said why). */
static int cores_setup(const struct partition *p, const uint64_t *mask, struct trace_core *cores)
{
	unsigned int ncpus = p->hdr->ncpus, n = 0;

	for (unsigned int c = 0; c < LWK_CHAN_MAX_CPUS; c++) {
		if (!(mask[c / 64] >> (c % 64) & 1))
			continue;
		if (c >= ncpus) {
			fprintf(stderr,
				"lwkctl: %s has no core %u: its cores are 0-%u (see 'lwkctl "
				"status')\n",
				p->name, c, ncpus - 1);
			return -1;
		}
		memset(&cores[n], 0, sizeof(cores[n]));
		cores[n].core = c;
		cores[n].ring = core_ring(p, c);
		cores[n].counters = core_counters(p, c);
		if (!cores[n].ring || !cores[n].counters) {
			fprintf(stderr,
				"lwkctl: %s: core %u has no trace ring in the channel (an older "
				"kernel, or a channel too small for %u cores)\n",
				p->name, c, ncpus);
			return -1;
		}
		cores[n].next = __atomic_load_n(&cores[n].ring->head, __ATOMIC_ACQUIRE);
		n++;
	}
	return (int)n;
}

static int attach_for_trace(const char *name, struct partition *p)
{
	char err[512];

	if (partition_find(name, p, err, sizeof(err)) || partition_attach(p, err, sizeof(err))) {
		fprintf(stderr, "lwkctl: %s\n", err);
		return 1;
	}
	if (p->nviews) { /* only pieces, read-only: not lwk.ko's admin */
		fprintf(stderr,
			"lwkctl: %s: tracing writes the channel, which only root or lwk.ko's "
			"admin group may; 'lwkctl stats' shows the counts to anyone\n",
			p->name);
		partition_detach(p);
		return 1;
	}
	if (!p->hdr->trace_off || !p->hdr->trace_nrecords) {
		fprintf(stderr, "lwkctl: %s: the kernel keeps no trace rings in its channel\n",
			p->name);
		partition_detach(p);
		return 1;
	}
	return 0;
}

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

static int trace_session(struct partition *p, char **cmd, struct trace_core *cores, unsigned int n,
			 FILE *csv, const char *csv_path)
{
	uint64_t t0 = lwkctl_now_ms(), ms;
	int status, ret;

	arm(cores, n, 1);
	status = run_traced(p, cmd, cores, n);
	ms = lwkctl_now_ms() - t0;
	drain_all(cores, n);
	arm(cores, n, 0);
	lwkctl_sleep_ms(TRACE_SETTLE_MS);
	drain_all(cores, n);
	owner_give(p);
	if (status < 0) {
		fprintf(stderr, "lwkctl: cannot start %s: %s\n", cmd[0], strerror(errno));
		return 1;
	}
	printf("%s: kernel entries while %s ran (%" PRIu64 ".%03" PRIu64 " s, TSC %" PRIu64
	       " kHz)\n",
	       p->name, cmd[0], ms / 1000, ms % 1000, p->hdr->tsc_hz / 1000);
	for (unsigned int i = 0; i < n; i++)
		summarize(p, &cores[i]);
	ret = exit_status(status);
	if (csv && write_csv(csv, csv_path, cores, n) && !ret)
		ret = 1;
	return ret;
}

int lwkctl_trace(int argc, char **argv)
{
	struct options it = { .prog = "lwkctl trace",
			      .specs = trace_specs,
			      .operands = 1,
			      .usage = lwkctl_trace_usage,
			      .argc = argc,
			      .argv = argv };
	static struct trace_core cores[LWK_CHAN_MAX_CPUS];
	struct trace_opts o = { 0 };
	uint64_t mask[LWK_CHAN_MAX_CPUS / 64];
	struct partition p;
	FILE *csv = NULL;
	int n, ret;

	if (options_parse(&it, trace_take, &o))
		return OPTIONS_USAGE_ERROR;
	if (!o.cores)
		return options_error(&it, "name the LWK cores to trace with --cores LIST");
	if (parse_cores(&it, o.cores, mask))
		return OPTIONS_USAGE_ERROR;
	if (it.i >= argc)
		return options_error(&it, "name a command to run after '--'");
	if (o.csv && !(csv = fopen(o.csv, "w"))) {
		fprintf(stderr, "lwkctl: cannot write the trace to %s: %s\n", o.csv,
			strerror(errno));
		return 1;
	}
	if (attach_for_trace(o.name, &p))
		goto fail_csv;
	if (owner_take(&p))
		goto fail_detach;
	/* Start at each ring's head: nothing is recorded while a core is not
	 * armed, so what follows is this run's. */
	n = cores_setup(&p, mask, cores);
	if (n < 0) {
		owner_give(&p);
		goto fail_detach;
	}
	ret = trace_session(&p, argv + it.i, cores, (unsigned int)n, csv, o.csv);
	partition_detach(&p);
	for (int i = 0; i < n; i++)
		free(cores[i].recs);
	return ret;

fail_detach:
	partition_detach(&p);
fail_csv:
	if (csv)
		fclose(csv);
	return 1;
}

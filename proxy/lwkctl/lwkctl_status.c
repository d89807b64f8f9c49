// SPDX-License-Identifier: GPL-2.0-only
/*
 * lwkctl status and lwkctl dmesg: read a partition's channel (header,
 * process entries, log ring). Everything there is written by the LWK, so
 * every count and offset is checked against the channel's size before use.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uapi/lwk/channel.h>
#include <uapi/lwk/log.h>
#include "lwkctl.h"
#include "partition.h"

#define MiB ((uint64_t)1 << 20)
#define STATUS_LOG_LINES 8
#define HEARTBEAT_WAIT_MS 1000
#define HEARTBEAT_RING_MS 100

void lwkctl_status_usage(FILE *f)
{
	fputs("usage: lwkctl status [--name NAME]\n"
	      "  Show a partition: its state (booting, ready, panicked with the panic\n"
	      "  line, down, or QEMU gone), each core (the service core, or the LWK\n"
	      "  process using it, or free), memory in MiB, the processes (LWK pid, name,\n"
	      "  state, cores, memory, threads, and the Linux pid of its lwkexec), and the\n"
	      "  last lines of its kernel log. Exit status 0 only when it is ready.\n"
	      "  A partition whose QEMU is gone is reported and its record removed.\n"
	      "  --name NAME  which partition (default $LWK_PARTITION, else the only one);\n"
	      "               --partition NAME says the same\n",
	      f);
}

void lwkctl_dmesg_usage(FILE *f)
{
	fputs("usage: lwkctl dmesg [--name NAME]\n"
	      "  Print the partition's kernel log (the part its log ring still holds).\n"
	      "  Of a partition whose QEMU died, the log it left in its memory file.\n"
	      "  --name NAME  which partition (default $LWK_PARTITION, else the only one);\n"
	      "               --partition NAME says the same\n",
	      f);
}

static const struct options_spec name_specs[] = {
	{ "--name", 0, 1, 0 },
	{ "--partition", 0, 1, 0 },
	{ NULL, 0, 0, 0 },
};

static int name_take(struct options *it, int id, const char *v, void *ctx)
{
	*(const char **)ctx = v;
	return 0;
}

/* status and dmesg take only the partition's name. */
static int parse_name(const char *prog, void (*usage_fn)(FILE *), int argc, char **argv,
		      const char **name)
{
	struct options it = {
		.prog = prog, .specs = name_specs, .usage = usage_fn, .argc = argc, .argv = argv
	};

	return options_parse(&it, name_take, name);
}

/* Describe the channel header's state. */
static const char *state_name(uint32_t state)
{
	switch (state) {
	case LWK_STATE_BOOTING:
		return "booting";
	case LWK_STATE_READY:
		return "ready";
	case LWK_STATE_PANICKED:
		return "panicked";
	case LWK_STATE_DOWN:
		return "down";
	}
	return "in an unknown state";
}

enum open_result {
	OPEN_READY,   /* attached to a live partition */
	OPEN_BOOTING, /* live, but the LWK has no channel yet */
	OPEN_DEAD,    /* its QEMU is gone; attached if its memory file is left */
	OPEN_FAILED,  /* reported */
};

/* Find the partition and map its channel. */
static enum open_result open_partition(const char *name, struct partition *p)
{
	char err[512];
	int r;

	if (partition_find(name, p, err, sizeof(err))) {
		fprintf(stderr, "lwkctl: %s\n", err);
		return OPEN_FAILED;
	}
	p->readonly = 1; /* looking only: what anyone may map beside Linux */
	if (!strcmp(p->kind, "partition") && !partition_alive(p)) {
		fprintf(stderr, "lwkctl: %s was shut down just now\n", p->name);
		return OPEN_FAILED;
	}
	if (!partition_alive(p)) {
		partition_attach(p, err, sizeof(err)); /* what it left, if anything */
		return OPEN_DEAD;
	}
	r = partition_attach(p, err, sizeof(err));
	if (r == -EAGAIN)
		return OPEN_BOOTING;
	if (r) {
		fprintf(stderr, "lwkctl: %s\n", err);
		return OPEN_FAILED;
	}
	return OPEN_READY;
}

/* Report a partition whose QEMU died (with its panic line, if the LWK
 * left one in the memory file), then clear its record away. */
static void report_dead(struct partition *p)
{
	uint32_t state = p->hdr ? __atomic_load_n(&p->hdr->state, __ATOMIC_ACQUIRE) : 0;
	char panic[LWK_CHAN_PANIC_LEN + 1];
	int r;

	snprintf(panic, sizeof(panic), "%.*s", LWK_CHAN_PANIC_LEN, p->hdr ? p->hdr->panic : "");
	partition_detach(p);
	r = lwkctl_partition_remove(p, 0);
	if (r)
		printf("%s: QEMU (pid %d) is gone; its record stays (%s: %s): remove that "
		       "directory by hand\n",
		       p->name, p->qemu_pid, p->dir, strerror(-r));
	else
		printf("%s: QEMU (pid %d) is gone; removed its record\n", p->name, p->qemu_pid);
	if (state == LWK_STATE_PANICKED)
		printf("the LWK had panicked: %s\n", panic);
	if (!access(p->console, R_OK)) {
		printf("its console's last lines (all in %s):\n", p->console);
		lwkctl_print_tail(p->console, 6, stdout);
	}
}

/* The cores set in @mask as "1-3,5", or "-". */
static void mask_format(const uint64_t *mask, unsigned int ncpus, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (unsigned int c = 0; c < ncpus && used < len; c++) {
		unsigned int end = c;

		if (!(mask[c / 64] >> (c % 64) & 1))
			continue;
		while (end + 1 < ncpus && mask[(end + 1) / 64] >> ((end + 1) % 64) & 1)
			end++;
		used += snprintf(out + used, len - used, end > c ? "%s%u-%u" : "%s%u",
				 used ? "," : "", c, end);
		c = end;
	}
	if (!used)
		snprintf(out, len, "-");
}

static unsigned int header_ncpus(const struct lwk_chan_header *h)
{
	return h->ncpus < LWK_CHAN_MAX_CPUS ? h->ncpus : LWK_CHAN_MAX_CPUS;
}

static void show_cores(const struct partition *p)
{
	const struct lwk_chan_header *h = p->hdr;
	unsigned int n = header_ncpus(h);
	int beside = !strcmp(p->kind, "partition");

	printf("cores: %u, %u online; core %u is the service core\n", h->ncpus, h->cpus_online,
	       h->service_cpu);
	for (unsigned int c = 0; c < n; c++) {
		uint32_t pid = __atomic_load_n(&h->cpu_pid[c], __ATOMIC_RELAXED);

		printf("  core %-3u apic 0x%-3x ", c, h->cpu_apic_id[c]);
		if (beside && c < p->cpus)
			printf("(Linux cpu %u) ", p->linux_cpu[c]);
		if (c == h->service_cpu)
			printf("service (answers Linux)\n");
		else if (pid == LWK_CHAN_CPU_LOADING)
			printf("loading a process\n");
		else if (pid)
			printf("LWK pid %u\n", pid);
		else
			printf("free\n");
	}
}

static void show_memory(const struct lwk_chan_header *h)
{
	uint64_t total = h->mem_total, free = h->mem_free;

	printf("memory: %" PRIu64 " MiB for processes, %" PRIu64 " MiB used, %" PRIu64
	       " MiB free\n",
	       total / MiB, free <= total ? (total - free) / MiB : 0, free / MiB);
}

static const char *proc_state_name(uint32_t state)
{
	static const char *const names[] = { "claimed", "created", "loaded", "running", "exited" };

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown";
}

static const struct lwk_chan_proc *proc_entry(const struct partition *p, unsigned int i)
{
	uint64_t off = p->hdr->procs_off + (uint64_t)i * sizeof(struct lwk_chan_proc);

	if (off < p->hdr->procs_off || !partition_chan(p, off + sizeof(struct lwk_chan_proc) - 1))
		return NULL;
	return partition_chan(p, off);
}

static void show_processes(const struct partition *p)
{
	const struct lwk_chan_header *h = p->hdr;
	unsigned int nprocs = h->nprocs < LWK_CHAN_MAX_PROCS ? h->nprocs : LWK_CHAN_MAX_PROCS;
	unsigned int shown = 0;
	char cores[128];

	for (unsigned int i = 0; i < nprocs; i++) {
		const struct lwk_chan_proc *e = proc_entry(p, i);
		uint32_t state;

		if (!e)
			break;
		state = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
		if (state == LWK_PROC_FREE && !e->owner)
			continue;
		if (!shown++)
			printf("processes:\n  %5s %-16s %-8s %-10s %8s %7s %7s\n", "PID", "NAME",
			       "STATE", "CORES", "MEM MiB", "THREADS", "LWKEXEC");
		mask_format(e->core_mask, header_ncpus(h), cores, sizeof(cores));
		printf("  %5u %-16.*s %-8s %-10s %8" PRIu64 " %7u %7u\n", e->pid, LWK_CHAN_NAME_LEN,
		       e->name[0] ? e->name : "-", proc_state_name(state), cores, e->mem / MiB,
		       e->nthreads, e->owner);
	}
	if (!shown && nprocs && !proc_entry(p, 0))
		printf("processes: not visible to you (lwk.ko shows them to root)\n");
	else if (!shown)
		printf("processes: none\n");
}

/* A copy of what the log ring holds, from its first whole line; NULL if
 * there is no ring. The kernel may write while we copy: what it overwrote
 * meanwhile is dropped. */
static char *log_snapshot(const struct partition *p, size_t *len)
{
	const struct lwk_log_ring *r = partition_chan(p, p->hdr->log_off);
	uint64_t head, head2, start, lost;
	uint32_t size;
	char *buf, *text;

	if (!r || !partition_chan(p, p->hdr->log_off + sizeof(*r) - 1) ||
	    r->magic != LWK_LOG_MAGIC || !r->size ||
	    r->size > p->chan_size - p->hdr->log_off - sizeof(*r))
		return NULL;
	size = r->size;
	head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	start = head > size ? head - size : 0;
	buf = malloc(head - start + 1);
	if (!buf)
		return NULL;
	for (uint64_t i = start; i < head; i++)
		buf[i - start] = r->data[i % size];
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	head2 = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	lost = head2 - start > size ? head2 - size - start : 0; /* overwritten as we read */
	if (lost > head - start)
		lost = head - start;
	text = buf + lost;
	*len = head - start - lost;
	if (start || lost) { /* the oldest line lost its beginning */
		char *nl = memchr(text, '\n', *len);

		*len = nl ? *len - (size_t)(nl + 1 - text) : 0;
		text = nl ? nl + 1 : text;
	}
	memmove(buf, text, *len);
	buf[*len] = '\0';
	return buf;
}

void lwkctl_print_log_tail(const struct partition *p, unsigned int n, FILE *to)
{
	size_t len, total = 0, skip;
	char *text = p->hdr ? log_snapshot(p, &len) : NULL;
	char *line;

	if (!text)
		return;
	for (size_t i = 0; i < len; i++)
		total += text[i] == '\n' || i + 1 == len;
	skip = total > n ? total - n : 0;
	line = len ? text : NULL;
	for (size_t i = 0; line && *line; i++) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (i >= skip)
			fprintf(to, "  %.*s\n", (int)strcspn(line, "\r"), line);
		line = nl ? nl + 1 : NULL;
	}
	free(text);
}

static void show_log_tail(const struct partition *p)
{
	size_t len;
	char *text = log_snapshot(p, &len);

	if (!text) {
		printf("log: none yet\n");
		return;
	}
	free(text);
	printf("log (last lines; 'lwkctl dmesg' has more):\n");
	lwkctl_print_log_tail(p, STATUS_LOG_LINES, stdout);
}

/* The service core bumps the heartbeat each time it looks at the channel:
 * every ~2 ms at most when idle in a VM; beside Linux an idle one halts
 * with no timer until it is rung. So it is rung (again every
 * HEARTBEAT_RING_MS, in case a ring came as it was about to halt), and a
 * heartbeat that stays put for a second after that means a hung LWK. The
 * ring also has it refresh what the rest of the status shows. */
static int heartbeat_moves(struct partition *p)
{
	const struct lwk_chan_header *h = p->hdr;
	uint64_t first = __atomic_load_n(&h->heartbeat, __ATOMIC_ACQUIRE);

	for (int ms = 0; ms < HEARTBEAT_WAIT_MS; ms += 10) {
		if (ms % HEARTBEAT_RING_MS == 0)
			transport_ring(&p->tr, LWK_RING_SERVICE);
		lwkctl_sleep_ms(10);
		if (__atomic_load_n(&h->heartbeat, __ATOMIC_ACQUIRE) != first)
			return 1;
	}
	return 0;
}

/* "vm, QEMU pid N" or "beside Linux on its cores 2-3, booted by user X" */
static void describe(const struct partition *p, char *out, size_t len)
{
	uint64_t mask[LWK_CHAN_MAX_CPUS / 64] = { 0 };
	char cores[128], owner[96];

	if (strcmp(p->kind, "partition")) {
		snprintf(out, len, "vm, QEMU pid %d", p->qemu_pid);
		return;
	}
	for (unsigned int i = 0; i < p->cpus && i < LWK_CHAN_MAX_CPUS; i++)
		if (p->linux_cpu[i] < LWK_CHAN_MAX_CPUS)
			mask[p->linux_cpu[i] / 64] |= 1ull << (p->linux_cpu[i] % 64);
	mask_format(mask, LWK_CHAN_MAX_CPUS, cores, sizeof(cores));
	partition_user_name(p->owner_uid, owner, sizeof(owner));
	snprintf(out, len, "beside Linux on its cores %s, booted by %s", cores, owner);
}

static void show_booting(const struct partition *p)
{
	char what[384];

	describe(p, what, sizeof(what));
	printf("%s: booting (%s, %u cores, %" PRIu64
	       " MiB); the LWK has not set up its channel yet\n",
	       p->name, what, p->cpus, p->mem_size / MiB);
	if (!strcmp(p->kind, "partition"))
		return; /* no console beside Linux */
	printf("console's last lines (all in %s):\n", p->console);
	lwkctl_print_tail(p->console, 4, stdout);
}

int lwkctl_status(int argc, char **argv)
{
	const char *name = NULL;
	struct partition p;
	char what[384];
	uint32_t state;

	if (parse_name("lwkctl status", lwkctl_status_usage, argc, argv, &name))
		return OPTIONS_USAGE_ERROR;
	switch (open_partition(name, &p)) {
	case OPEN_READY:
		break;
	case OPEN_BOOTING:
		show_booting(&p);
		return 1;
	case OPEN_DEAD:
		report_dead(&p);
		return 1;
	case OPEN_FAILED:
		return 1;
	}
	state = __atomic_load_n(&p.hdr->state, __ATOMIC_ACQUIRE);
	describe(&p, what, sizeof(what));
	printf("%s: %s (%s, %u cores, %" PRIu64 " MiB, ABI %u)\n", p.name, state_name(state), what,
	       p.cpus, p.mem_size / MiB, p.hdr->abi_version);
	if (state == LWK_STATE_PANICKED)
		printf("panic: %.*s\n", LWK_CHAN_PANIC_LEN, p.hdr->panic);
	if (state == LWK_STATE_READY && !heartbeat_moves(&p))
		printf("warning: the service core's heartbeat has not moved for %d ms: the LWK "
		       "may be hung; see 'lwkctl dmesg'\n",
		       HEARTBEAT_WAIT_MS);
	show_cores(&p);
	show_memory(p.hdr);
	show_processes(&p);
	show_log_tail(&p);
	partition_detach(&p);
	return state == LWK_STATE_READY ? 0 : 1;
}

/* A dead partition's log is still in its memory file: print it (a
 * post-mortem), and leave the clean-up to 'lwkctl status'. */
int lwkctl_dmesg(int argc, char **argv)
{
	const char *name = NULL;
	enum open_result r;
	struct partition p;
	size_t len;
	char *text;

	if (parse_name("lwkctl dmesg", lwkctl_dmesg_usage, argc, argv, &name))
		return OPTIONS_USAGE_ERROR;
	r = open_partition(name, &p);
	if (r == OPEN_FAILED)
		return 1;
	text = p.hdr ? log_snapshot(&p, &len) : NULL;
	if (!text) {
		fprintf(stderr, "lwkctl: %s: %s%s%s\n", p.name,
			r == OPEN_BOOTING ? "the LWK has not set up its log yet (booting)"
			: r == OPEN_DEAD  ? "QEMU is gone and left no kernel log"
					  : "the channel has no kernel log ring",
			p.console[0] ? "; its console log is " : "", p.console);
		partition_detach(&p);
		return 1;
	}
	fwrite(text, 1, len, stdout);
	free(text);
	if (r == OPEN_DEAD)
		fprintf(
		    stderr,
		    "lwkctl: %s: QEMU (pid %d) is gone; this is the log it left ('lwkctl status' "
		    "clears the partition away)\n",
		    p.name, p.qemu_pid);
	partition_detach(&p);
	return r == OPEN_DEAD;
}

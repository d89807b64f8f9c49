// SPDX-License-Identifier: GPL-2.0-only
/*
 * lwkctl stats: each LWK core's counters of kernel entries (uapi/lwk/
 * counters.h), read from the channel: system calls, exceptions and
 * interrupts, and every vector that was taken. Read-only, so any user who
 * may see the partition may run it (beside Linux: anyone allowed to open
 * /dev/lwk).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <uapi/lwk/channel.h>
#include <uapi/lwk/counters.h>
#include "lwkctl.h"
#include "partition.h"

#define EXCEPTION_VECTORS 32

void lwkctl_stats_usage(FILE *f)
{
	fputs("usage: lwkctl stats [--name NAME]\n"
	      "  Each LWK core's kernel entries since boot: system calls, exceptions and\n"
	      "  interrupts, then every vector taken (vector=count). A core that only runs\n"
	      "  a program's loop without system calls should show none at all.\n"
	      "  --name NAME  which partition (default $LWK_PARTITION, else the only one);\n"
	      "               --partition NAME says the same\n",
	      f);
}

static const struct options_spec stats_specs[] = {
	{ "--name", 0, 1, 0 },
	{ "--partition", 0, 1, 0 },
	{ NULL, 0, 0, 0 },
};

static int stats_take(struct options *it, int id, const char *v, void *ctx)
{
	*(const char **)ctx = v;
	return 0;
}

static const struct lwk_cpu_counters *core_counters(const struct partition *p, unsigned int c)
{
	const struct lwk_chan_header *h = p->hdr;
	uint64_t off = h->counters_off + (uint64_t)c * h->counters_size;
	const struct lwk_cpu_counters *k;

	if (h->counters_size < sizeof(*k) || off < h->counters_off ||
	    !partition_chan(p, off + sizeof(*k) - 1))
		return NULL;
	k = partition_chan(p, off);
	return k && k->magic == LWK_COUNTERS_MAGIC ? k : NULL;
}

static void show_core(unsigned int c, const struct lwk_cpu_counters *k)
{
	uint64_t sys = k->syscall_other, exc = 0, irq = 0;

	for (unsigned int i = 0; i < LWK_COUNTERS_NSYSCALLS; i++)
		sys += k->syscall[i];
	for (unsigned int v = 0; v < LWK_COUNTERS_NVECTORS; v++)
		*(v < EXCEPTION_VECTORS ? &exc : &irq) += k->vector[v];
	printf("  %-4u %12" PRIu64 " %11" PRIu64 " %11" PRIu64, c, sys, exc, irq);
	for (unsigned int v = 0, first = 1; v < LWK_COUNTERS_NVECTORS; v++)
		if (k->vector[v]) {
			printf("%s0x%02x=%" PRIu64, first ? "   " : " ", v, k->vector[v]);
			first = 0;
		}
	printf("\n");
}

int lwkctl_stats(int argc, char **argv)
{
	struct options it = { .prog = "lwkctl stats",
			      .specs = stats_specs,
			      .usage = lwkctl_stats_usage,
			      .argc = argc,
			      .argv = argv };
	const char *name = NULL;
	char err[512];
	struct partition p;
	unsigned int n, shown = 0;

	if (options_parse(&it, stats_take, &name))
		return OPTIONS_USAGE_ERROR;
	if (partition_find(name, &p, err, sizeof(err))) {
		fprintf(stderr, "lwkctl: %s\n", err);
		return 1;
	}
	p.readonly = 1;
	if (partition_attach(&p, err, sizeof(err))) {
		fprintf(stderr, "lwkctl: %s\n", err);
		return 1;
	}
	n = p.hdr->ncpus < LWK_CHAN_MAX_CPUS ? p.hdr->ncpus : LWK_CHAN_MAX_CPUS;
	printf("%s: kernel entries per core since boot\n  %-4s %12s %11s %11s   %s\n", p.name,
	       "CORE", "SYSCALLS", "EXCEPTIONS", "INTERRUPTS", "VECTORS");
	for (unsigned int c = 0; c < n; c++) {
		const struct lwk_cpu_counters *k = core_counters(&p, c);

		if (!k) {
			printf("  %-4u (no counters)\n", c);
			continue;
		}
		show_core(c, k);
		shown++;
	}
	partition_detach(&p);
	if (!shown) {
		fprintf(stderr, "lwkctl: %s: the kernel keeps no counters in its channel\n",
			p.name);
		return 1;
	}
	return 0;
}

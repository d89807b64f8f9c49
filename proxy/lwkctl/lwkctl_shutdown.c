// SPDX-License-Identifier: GPL-2.0-only
/*
 * lwkctl shutdown: ask a partition's LWK to kill its processes (named
 * here) and power off, or with --force, or when it does not answer, kill
 * its QEMU; then clear the partition's files away. A partition beside
 * Linux is lwk.ko's to stop (lwkctl_pshutdown, lwkctl_pboot.c).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <uapi/lwk/channel.h>
#include "lwkctl.h"
#include "partition.h"

#define DEFAULT_SHUTDOWN_TIMEOUT 20

void lwkctl_shutdown_usage(FILE *f)
{
	fprintf(f,
		"usage: lwkctl shutdown [--name NAME] [--force] [--timeout SEC]\n"
		"  Stop a partition: the LWK kills every process on it (each is named) and\n"
		"  powers off; its record and memory file are removed.\n"
		"  --name NAME    which partition (default $LWK_PARTITION, else the only one);\n"
		"                 --partition NAME says the same\n"
		"  --force        do not ask the LWK: kill QEMU (SIGTERM, then SIGKILL); beside\n"
		"                 Linux, have lwk.ko stop its cores at once\n"
		"  --timeout SEC  kill QEMU (beside Linux: stop the cores) if the LWK has not\n"
		"                 stopped after SEC s\n"
		"                 (default %d)\n",
		DEFAULT_SHUTDOWN_TIMEOUT);
}

/* Processes on the partition now: they die with it, so say which. Both
 * kinds of partition. */
unsigned int lwkctl_victims(const struct partition *p, char *out, size_t len)
{
	const struct lwk_chan_header *h = p->hdr;
	unsigned int n = 0, nprocs;
	size_t used = 0;

	out[0] = '\0';
	if (!h || __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != LWK_CHAN_MAGIC)
		return 0;
	nprocs = h->nprocs < LWK_CHAN_MAX_PROCS ? h->nprocs : LWK_CHAN_MAX_PROCS;
	for (unsigned int i = 0; i < nprocs; i++) {
		const struct lwk_chan_proc *e =
		    partition_chan(p, h->procs_off + (uint64_t)i * sizeof(*e));
		uint32_t state;

		if (!e || !partition_chan(p, h->procs_off + (uint64_t)(i + 1) * sizeof(*e) - 1))
			break;
		state = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
		if (state == LWK_PROC_FREE || state == LWK_PROC_EXITED)
			continue;
		if (used < len)
			used +=
			    snprintf(out + used, len - used, "%sLWK pid %u (%.*s, lwkexec pid %u)",
				     n ? ", " : "", e->pid, LWK_CHAN_NAME_LEN, e->name, e->owner);
		n++;
	}
	return n;
}

/* Ask the LWK to power off; 0 once QEMU is gone. */
static int shutdown_ask(struct partition *p, unsigned long timeout)
{
	uint64_t deadline = lwkctl_now_ms() + timeout * 1000;

	__atomic_store_n(&p->hdr->shutdown, 1, __ATOMIC_RELEASE);
	while (partition_alive(p)) {
		if (lwkctl_now_ms() > deadline) {
			fprintf(stderr,
				"lwkctl: %s: the LWK did not power off within %lu s; killing QEMU "
				"(pid %d)\n",
				p->name, timeout, p->qemu_pid);
			return -1;
		}
		lwkctl_sleep_ms(LWKCTL_POLL_MS);
	}
	return 0;
}

struct shutdown_opts {
	const char *name;
	int force;
	unsigned long timeout;
};

enum { SHUTDOWN_FORCE, SHUTDOWN_NAME, SHUTDOWN_TIMEOUT };

static const struct options_spec shutdown_specs[] = {
	{ "--force", 0, 0, SHUTDOWN_FORCE },
	{ "--name", 0, 1, SHUTDOWN_NAME },
	{ "--partition", 0, 1, SHUTDOWN_NAME },
	{ "--timeout", 0, 1, SHUTDOWN_TIMEOUT },
	{ NULL, 0, 0, 0 },
};

static int shutdown_take(struct options *it, int id, const char *v, void *ctx)
{
	struct shutdown_opts *o = ctx;

	if (id == SHUTDOWN_FORCE)
		o->force = 1;
	else if (id == SHUTDOWN_NAME)
		o->name = v;
	else if (values_uint(v, 1, VALUES_SECONDS_MAX, &o->timeout))
		return options_error(it, "--timeout wants seconds (1 or more), not '%s'", v);
	return 0;
}

int lwkctl_shutdown(int argc, char **argv)
{
	struct shutdown_opts o = { .timeout = DEFAULT_SHUTDOWN_TIMEOUT };
	struct options it = { .prog = "lwkctl shutdown",
			      .specs = shutdown_specs,
			      .usage = lwkctl_shutdown_usage,
			      .argc = argc,
			      .argv = argv };
	char err[512], victims[2048], state[PATH_MAX];
	unsigned int nvictims = 0;
	struct partition p;
	int attached;

	if (options_parse(&it, shutdown_take, &o))
		return OPTIONS_USAGE_ERROR;
	signal(SIGPIPE, SIG_IGN);
	if (partition_find(o.name, &p, err, sizeof(err))) {
		fprintf(stderr, "lwkctl: %s\n", err);
		return 1;
	}
	if (!strcmp(p.kind, "partition"))
		return lwkctl_pshutdown(&p, o.timeout, o.force);
	if (lwkctl_may_manage("shut down", state, sizeof(state)))
		return 1;
	if (!partition_alive(&p)) {
		printf("%s: QEMU (pid %d) was already gone; removed its record\n", p.name,
		       p.qemu_pid);
		lwkctl_partition_remove(&p, 1);
		return 0;
	}
	attached = !partition_attach(&p, err, sizeof(err));
	if (!attached && !o.force)
		fprintf(stderr, "lwkctl: %s; stopping QEMU instead\n", err);
	if (attached)
		nvictims = lwkctl_victims(&p, victims, sizeof(victims));
	if (!attached || o.force || shutdown_ask(&p, o.timeout))
		lwkctl_qemu_kill(&p, 0);
	partition_detach(&p);
	if (partition_alive(&p)) {
		fprintf(stderr, "lwkctl: %s: QEMU (pid %d) survived SIGKILL; its record stays\n",
			p.name, p.qemu_pid);
		return 1;
	}
	lwkctl_partition_remove(&p, 1);
	if (nvictims)
		printf("%s: killed %u process%s: %s\n", p.name, nvictims, nvictims > 1 ? "es" : "",
		       victims);
	printf("%s: down\n", p.name);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lwkctl: manage LWK partitions.
 *
 *   lwkctl boot --cpus LIST --mem SIZE   a partition beside Linux (lwk.ko)
 *   lwkctl boot --vm [options]   start a VM partition (QEMU, shared memory)
 *   lwkctl status [--name NAME]  its state, cores, memory, processes, log
 *   lwkctl dmesg [--name NAME]   the kernel log
 *   lwkctl stats [--name NAME]   per-core counts of kernel entries
 *   lwkctl trace --cores LIST -- CMD   every kernel entry on LIST while CMD runs
 *   lwkctl shutdown [--name NAME] [--force]
 *   lwkctl bare [options] PROG [ARGS...]   one program in a throwaway QEMU
 *
 * This file holds the dispatch: one table of commands, each in a file of
 * its own (lwkctl.h).
 */
#include <stdio.h>
#include <string.h>
#include "lwkctl.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *f);
	const char *summary;
};

static const struct command commands[] = {
	{ "boot", lwkctl_boot, lwkctl_boot_usage,
	  "start a partition beside Linux (root), or a VM partition (--vm)" },
	{ "status", lwkctl_status, lwkctl_status_usage,
	  "state, cores, memory, processes and recent log of a partition" },
	{ "dmesg", lwkctl_dmesg, lwkctl_dmesg_usage, "the partition's kernel log" },
	{ "stats", lwkctl_stats, lwkctl_stats_usage, "each LWK core's counts of kernel entries" },
	{ "trace", lwkctl_trace, lwkctl_trace_usage,
	  "every kernel entry on some LWK cores while a command runs" },
	{ "shutdown", lwkctl_shutdown, lwkctl_shutdown_usage,
	  "stop every process and power the partition off" },
	{ "bare", lwkctl_bare, lwkctl_bare_usage,
	  "run one static program on the LWK in a throwaway QEMU" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fputs("usage: lwkctl COMMAND [OPTIONS]\n"
	      "Manage LWK partitions. Commands:\n",
	      f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fputs("'lwkctl COMMAND --help' describes each. A partition is picked by --name NAME,\n"
	      "else $LWK_PARTITION, else the only one running. A partition is its user's\n"
	      "own: its records live in $XDG_RUNTIME_DIR/lwk/NAME/ (without XDG_RUNTIME_DIR,\n"
	      "/run/lwk/NAME/ for root, /tmp/lwk-UID/NAME/ for others), and no other user\n"
	      "can see, use or stop it.\n"
	      "\n"
	      "A partition beside Linux (lwk.ko, one per node) is the module's: everyone\n"
	      "allowed to open /dev/lwk sees it and may run programs on it.\n"
	      "\n"
	      "  lwkctl boot --vm --cpus 4 --mem 1G     then: lwkexec PROG [ARGS...]\n"
	      "  lwkctl boot --cpus 2-3 --mem 1G        (root; beside Linux, through lwk.ko)\n"
	      "  lwkctl status; lwkctl dmesg; lwkctl shutdown\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "lwkctl: name a command: boot, status, dmesg, stats, trace, "
				"shutdown or bare; see 'lwkctl --help'\n");
		return OPTIONS_USAGE_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 2, argv + 2);
	fprintf(stderr,
		"lwkctl: unknown command '%s'; the commands are boot, status, dmesg, stats, "
		"trace, shutdown and bare (see 'lwkctl --help')\n",
		argv[1]);
	return OPTIONS_USAGE_ERROR;
}

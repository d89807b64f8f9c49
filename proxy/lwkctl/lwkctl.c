// SPDX-License-Identifier: GPL-2.0-only
/*
 * lwkctl: manage LWK partitions.
 *
 *   lwkctl boot --vm [options]   start a VM partition (QEMU, shared memory)
 *   lwkctl status [--name NAME]  its state, cores, memory, processes, log
 *   lwkctl dmesg [--name NAME]   the kernel log
 *   lwkctl shutdown [--name NAME] [--force]
 *   lwkctl bare [options] PROG [ARGS...]   one program in a throwaway QEMU
 *
 * This file holds the dispatch and the helpers the commands share.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uapi/lwk/channel.h>
#include "lwkctl.h"
#include "partition.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *f);
	const char *summary;
};

static const struct command commands[] = {
	{ "boot", lwkctl_boot, lwkctl_boot_usage, "start a VM partition (boot --vm)" },
	{ "status", lwkctl_status, lwkctl_status_usage,
	  "state, cores, memory, processes and recent log of a partition" },
	{ "dmesg", lwkctl_dmesg, lwkctl_dmesg_usage, "the partition's kernel log" },
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
	      "  lwkctl boot --vm --cpus 4 --mem 1G     then: lwkexec PROG [ARGS...]\n"
	      "  lwkctl status; lwkctl dmesg; lwkctl shutdown\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "lwkctl: name a command: boot, status, dmesg, shutdown or bare; "
				"see 'lwkctl --help'\n");
		return LWKCTL_USAGE_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 2, argv + 2);
	fprintf(stderr,
		"lwkctl: unknown command '%s'; the commands are boot, status, dmesg, shutdown "
		"and bare (see 'lwkctl --help')\n",
		argv[1]);
	return LWKCTL_USAGE_ERROR;
}

int lwkctl_usage_error(const struct lwkctl_opts *o, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lwkctl %s: ", o->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see 'lwkctl %s --help'\n", o->cmd);
	return LWKCTL_USAGE_ERROR;
}

int lwkctl_opt(struct lwkctl_opts *o, const char *name, const char **val)
{
	const char *a = o->argv[o->i];
	size_t n = strlen(name);

	if (strncmp(a, name, n) || (a[n] && a[n] != '='))
		return 0;
	if (!val) {
		if (a[n])
			exit(lwkctl_usage_error(o, "%s takes no value", name));
		o->i++;
		return 1;
	}
	if (a[n] == '=') {
		*val = a + n + 1;
		o->i++;
		return 1;
	}
	if (o->i + 1 >= o->argc)
		exit(lwkctl_usage_error(o, "%s needs a value", name));
	*val = o->argv[o->i + 1];
	o->i += 2;
	return 1;
}

void lwkctl_opt_help(struct lwkctl_opts *o, void (*usage_fn)(FILE *))
{
	const char *a = o->argv[o->i];

	if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
		usage_fn(stdout);
		exit(0);
	}
}

int lwkctl_kernel_path(const char *given, char *out, size_t len)
{
	const char *env = getenv("LWK_KERNEL");
	char self[PATH_MAX];
	ssize_t n;

	if (given || (env && *env))
		return snprintf(out, len, "%s", given ? given : env) < (int)len ? 0 : -1;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -1;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	return snprintf(out, len, "%s/../lwk.elf", self) < (int)len ? 0 : -1;
}

/* A software KVM (kvm_pvm) is slower than TCG by far: only vmx/svm count. */
int lwkctl_kvm_usable(void)
{
	char line[4096];
	FILE *f;
	int hw = 0;

	if (access("/dev/kvm", R_OK | W_OK) || !access("/sys/module/kvm_pvm", F_OK))
		return 0;
	f = fopen("/proc/cpuinfo", "r");
	while (f && !hw && fgets(line, sizeof(line), f))
		hw = !strncmp(line, "flags", 5) && (strstr(line, " vmx") || strstr(line, " svm"));
	if (f)
		fclose(f);
	return hw;
}

/* Drop terminal escape sequences and control characters (the firmware
 * clears the screen on the serial console). */
static void text_clean(char *s)
{
	char *out = s;

	while (*s) {
		if (*s == '\033' && s[1] == '[') { /* CSI: parameters, then a final byte */
			s += 2;
			while (*s && (*s < 0x40 || *s > 0x7e))
				s++;
			if (*s)
				s++;
		} else if (*s == '\033') {
			s += s[1] ? 2 : 1;
		} else {
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				*out++ = *s;
			s++;
		}
	}
	*out = '\0';
}

void lwkctl_print_tail(const char *path, unsigned int n, FILE *to)
{
	char lines[32][256];
	unsigned int count = 0;
	int skip = 0;
	char buf[256];
	FILE *f = fopen(path, "r");

	if (n > 32)
		n = 32;
	if (!f || !n) {
		if (f)
			fclose(f);
		return;
	}
	while (fgets(buf, sizeof(buf), f)) {
		size_t len = strcspn(buf, "\r\n");
		int more = buf[len] == '\0' && len == sizeof(buf) - 1; /* a long line */

		buf[len] = '\0';
		text_clean(buf);
		if (!skip)
			snprintf(lines[count++ % n], sizeof(lines[0]), "%s", buf);
		skip = more; /* show a long line's start only */
	}
	fclose(f);
	for (unsigned int i = count > n ? count - n : 0; i < count; i++)
		fprintf(to, "  | %s\n", lines[i % n]);
}

/* Root may unlink anyone's file in /dev/shm: remove only our own. */
static int mem_file_ours(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && st.st_uid == geteuid();
}

int lwkctl_partition_remove(const struct partition *p, int all)
{
	char path[PATH_MAX + 16];
	int r;

	snprintf(path, sizeof(path), "%s/partition", p->dir);
	r = unlink(path) && errno != ENOENT ? -errno : 0;
	if (p->mem_path[0] && mem_file_ours(p->mem_path))
		unlink(p->mem_path);
	if (all) {
		if (p->console[0])
			unlink(p->console);
		rmdir(p->dir);
	}
	return r;
}

int lwkctl_may_manage(const char *what, char *state, size_t len)
{
	char err[PATH_MAX + 256];

	if (partition_state_dir_make(state, len, err, sizeof(err))) {
		fprintf(stderr, "lwkctl: cannot %s a partition: %s\n", what, err);
		return -1;
	}
	if (access(state, W_OK)) {
		fprintf(stderr,
			"lwkctl: cannot %s a partition: the LWK state directory %s is not writable "
			"(%s); set XDG_RUNTIME_DIR to a directory of your own\n",
			what, state, strerror(errno));
		return -1;
	}
	return 0;
}

void lwkctl_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

const char *lwkctl_state_name(uint32_t state)
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

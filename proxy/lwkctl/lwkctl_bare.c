// SPDX-License-Identifier: GPL-2.0-only
/*
 * lwkctl bare [--cpus N] [--mem SIZE] [--timeout SEC] [--keep] PROG [ARGS...]
 *
 * boots a throwaway QEMU whose LWK runs the static program PROG with no
 * proxy attached, copies its stdout and stderr to ours, and exits with its
 * status (128+N when a signal N killed it). With --stats, the kernel's
 * per-core counters of kernel entries (the "lwk: stats: " lines of its log)
 * go to a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <elf_loader.h>
#include <uapi/lwk/bare.h>
#include <uapi/lwk/channel.h>
#include "file.h"
#include "lwkctl.h"

#define KERNEL_OVERHEAD (64ull << 20) /* guest memory beyond the process's */
#define DEFAULT_MEM (128ull << 20)

extern char **environ;

struct bare_opts {
	unsigned int cpus;
	uint64_t mem;
	unsigned int timeout;
	int keep;
	const char *kargs; /* extra kernel command line */
	const char *stats; /* where the counters go, or NULL */
	char **argv;	   /* PROG ARGS... */
};

void lwkctl_bare_usage(FILE *f)
{
	fputs("usage: lwkctl bare [--cpus N] [--mem SIZE] [--timeout SEC] [--keep]\n"
	      "                  [--stats FILE] [--kernel-args ARGS] PROG [ARGS...]\n"
	      "  Run a static Linux x86_64 program on the LWK in a throwaway QEMU.\n"
	      "  --cpus N            cores for the program (default 1)\n"
	      "  --mem SIZE          memory for the program, e.g. 512M or 2G (default 128M)\n"
	      "  --timeout SEC       give up after SEC seconds (default 300)\n"
	      "  --keep              keep the work files (boot log) and print where\n"
	      "  --stats FILE        write the per-core counts of kernel entries (each\n"
	      "                      syscall, exception and interrupt) to FILE ('-': stderr)\n"
	      "  --kernel-args ARGS  extra LWK command line, e.g. \"idle=poll\"\n",
	      f);
}

enum { BARE_KEEP, BARE_CPUS, BARE_MEM, BARE_TIMEOUT, BARE_STATS, BARE_KARGS };

static const struct options_spec bare_specs[] = {
	{ "--keep", 0, 0, BARE_KEEP },
	{ "--cpus", 0, 1, BARE_CPUS },
	{ "--mem", 0, 1, BARE_MEM },
	{ "--timeout", 0, 1, BARE_TIMEOUT },
	{ "--stats", 0, 1, BARE_STATS },
	{ "--kernel-args", 0, 1, BARE_KARGS },
	{ NULL, 0, 0, 0 },
};

/* At most the host's memory: QEMU would refuse more with a message about
 * its own -m. */
static int bare_mem_value(struct options *it, const char *v, uint64_t *mem)
{
	uint64_t host = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
	char err[200], a[32], b[32];

	if (values_size("--mem", v, mem, err, sizeof(err)))
		return options_error(it, "%s", err);
	if (*mem < LWK_PROC_MEM_MIN)
		return options_error(it, "--mem %s (%s) is too little: a process needs at least %s",
				     v, values_size_name(*mem, a, sizeof(a)),
				     values_size_name(LWK_PROC_MEM_MIN, b, sizeof(b)));
	if (*mem + KERNEL_OVERHEAD > host)
		return options_error(it, "--mem %s is more than this machine's %s of memory", v,
				     values_size_name(host, a, sizeof(a)));
	return 0;
}

static int bare_take(struct options *it, int id, const char *v, void *ctx)
{
	struct bare_opts *o = ctx;
	unsigned long n;

	switch (id) {
	case BARE_KEEP:
		o->keep = 1;
		return 0;
	case BARE_CPUS:
		if (values_uint(v, 1, 255, &n))
			return options_error(it, "--cpus wants 1 to 255 cores, not '%s'", v);
		o->cpus = (unsigned int)n;
		return 0;
	case BARE_MEM:
		return bare_mem_value(it, v, &o->mem);
	case BARE_TIMEOUT:
		if (values_uint(v, 1, VALUES_SECONDS_MAX, &n))
			return options_error(it, "--timeout wants seconds (1 to %d), not '%s'",
					     VALUES_SECONDS_MAX, v);
		o->timeout = (unsigned int)n;
		return 0;
	case BARE_STATS:
		o->stats = v;
		return 0;
	case BARE_KARGS:
		o->kargs = v;
		return 0;
	}
	return 0;
}

static int parse_bare(int argc, char **argv, struct bare_opts *o)
{
	struct options it = { .prog = "lwkctl bare",
			      .specs = bare_specs,
			      .operands = 1,
			      .usage = lwkctl_bare_usage,
			      .argc = argc,
			      .argv = argv };

	*o = (struct bare_opts){ .cpus = 1, .mem = DEFAULT_MEM, .timeout = 300 };
	if (options_parse(&it, bare_take, o))
		return -1;
	if (it.i >= argc) {
		options_error(&it, "name a program to run");
		return -1;
	}
	o->argv = argv + it.i;
	return 0;
}

static size_t strings_size(char **list, uint32_t *count)
{
	size_t n = 0;

	*count = 0;
	for (; *list; list++, (*count)++)
		n += strlen(*list) + 1;
	return n;
}

static char *strings_put(char *p, char **list)
{
	for (; *list; list++)
		p = stpcpy(p, *list) + 1;
	return p;
}

struct blob {
	void *data;
	size_t size;
};

/* Write the bundle (uapi/lwk/bare.h) to @fd. */
static int write_bundle(int fd, const struct bare_opts *o, const struct blob *image,
			const struct blob *interp)
{
	struct lwk_bare_bundle b = { .magic = LWK_BARE_MAGIC, .abi_version = LWK_ABI_VERSION };
	size_t strs = strings_size(o->argv, &b.argc) + strings_size(environ, &b.envc);
	char *buf;
	int ok;

	b.strings_offset = sizeof(b);
	b.strings_size = strs;
	b.image_offset = (sizeof(b) + strs + 4095) & ~4095ull;
	b.image_size = image->size;
	b.interp_offset = interp->size ? (b.image_offset + image->size + 4095) & ~4095ull : 0;
	b.interp_size = interp->size;
	b.total_size = interp->size ? b.interp_offset + interp->size : b.image_offset + image->size;
	b.mem_bytes = o->mem;
	b.cpus = o->cpus;
	buf = calloc(1, b.total_size);
	if (!buf)
		return -1;
	memcpy(buf, &b, sizeof(b));
	strings_put(strings_put(buf + sizeof(b), o->argv), environ);
	memcpy(buf + b.image_offset, image->data, image->size);
	if (interp->size)
		memcpy(buf + b.interp_offset, interp->data, interp->size);
	ok = write(fd, buf, b.total_size) == (ssize_t)b.total_size;
	free(buf);
	return ok ? 0 : -1;
}

struct work {
	char dir[64];
	char bundle[96], log[96], out[96], err[96], kernel[4096];
};

static pid_t start_qemu(const struct bare_opts *o, const struct work *w)
{
	char smp[16], mem[32], ser[3][128];
	int kvm = lwkctl_kvm_usable();
	char *args[] = { "qemu-system-x86_64",
			 "-accel",
			 kvm ? "kvm" : "tcg",
			 "-cpu",
			 kvm ? "host" : "max",
			 "-smp",
			 smp,
			 "-m",
			 mem,
			 "-display",
			 "none",
			 "-monitor",
			 "none",
			 "-no-reboot",
			 "-device",
			 "isa-debug-exit,iobase=0xf4,iosize=0x04",
			 "-kernel",
			 (char *)w->kernel,
			 "-initrd",
			 (char *)w->bundle,
			 "-serial",
			 ser[0],
			 "-serial",
			 ser[1],
			 "-serial",
			 ser[2],
			 NULL };
	pid_t pid;

	snprintf(smp, sizeof(smp), "%u", o->cpus);
	snprintf(mem, sizeof(mem), "%lluM", (unsigned long long)((o->mem + KERNEL_OVERHEAD) >> 20));
	snprintf(ser[0], sizeof(ser[0]), "file:%s", w->log);
	snprintf(ser[1], sizeof(ser[1]), "file:%s", w->out);
	snprintf(ser[2], sizeof(ser[2]), "file:%s", w->err);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1); /* QEMU's own chatter; its errors go to stderr */
		execvp(args[0], args);
		fprintf(stderr,
			"lwkctl: cannot run qemu-system-x86_64 (%s); install qemu-system-x86\n",
			strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Wait for QEMU, at most @secs; its wait status, or -1 on a timeout. */
static int wait_qemu(pid_t pid, unsigned int secs)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	int status;

	for (unsigned long i = 0; i < secs * 50ul; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		nanosleep(&nap, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static void copy_file(const char *path, FILE *to)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, to);
	if (f)
		fclose(f);
	fflush(to);
}

/* The "lwk: bare: ..." verdict line of the log, and what it means; the
 * counters go to @stats if it is not NULL. */
static int verdict(const struct work *w, const char *prog, int qemu_status, FILE *stats)
{
	char line[1024];
	FILE *f = fopen(w->log, "r");
	int code = -1, sig = 0, status = 125;

	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!strncmp(line, "lwk: stats: ", 12)) {
			if (stats)
				fprintf(stats, "%s\n", line + 12);
		} else if (sscanf(line, "lwk: bare: exit status %d", &code) == 1)
			status = code;
		else if (sscanf(line, "lwk: bare: killed by signal %d", &sig) == 1)
			status = 128 + sig;
		else if (!strncmp(line, "lwk: bare: cannot run ", 22)) {
			fprintf(stderr, "lwkctl: %s\n", line + 11);
			status = 126;
		} else if (strstr(line, "PANIC") || !strncmp(line, "lwk: ", 5))
			if (code < 0 && !sig && status == 125)
				fprintf(stderr, "%s\n", line); /* kernel trouble: show why */
	}
	if (f)
		fclose(f);
	if (sig)
		fprintf(stderr, "lwkctl: %s killed by signal %d (%s)\n", prog, sig, strsignal(sig));
	if (status == 125)
		fprintf(
		    stderr,
		    "lwkctl: the LWK stopped without a verdict (QEMU status %d); boot log: %s\n",
		    WIFEXITED(qemu_status) ? WEXITSTATUS(qemu_status) : -1, w->log);
	return status;
}

static int work_make(struct work *w)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd;

	snprintf(w->dir, sizeof(w->dir), "%.40s/lwkctl.XXXXXX", tmp);
	if (!mkdtemp(w->dir))
		return -1;
	snprintf(w->bundle, sizeof(w->bundle), "%s/bundle", w->dir);
	snprintf(w->log, sizeof(w->log), "%s/boot.log", w->dir);
	snprintf(w->out, sizeof(w->out), "%s/stdout", w->dir);
	snprintf(w->err, sizeof(w->err), "%s/stderr", w->dir);
	fd = open(w->bundle, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	return fd;
}

static void work_remove(const struct work *w)
{
	unlink(w->bundle);
	unlink(w->log);
	unlink(w->out);
	unlink(w->err);
	rmdir(w->dir);
}

/* Shell conventions: 127 for a missing program, 126 for one that cannot run. */
static void *load_program(const char *path, size_t *size, int *status)
{
	struct stat st;
	void *image;

	if (stat(path, &st)) {
		fprintf(stderr, "lwkctl: %s: %s\n", path, strerror(errno));
		*status = 127;
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || access(path, X_OK)) {
		fprintf(stderr, "lwkctl: %s: Permission denied\n", path);
		*status = 126;
		return NULL;
	}
	if (!st.st_size) {
		fprintf(stderr, "lwkctl: %s: cannot execute: the file is empty\n", path);
		*status = 126;
		return NULL;
	}
	image = file_read(path, size);
	if (!image) {
		fprintf(stderr, "lwkctl: %s: %s\n", path, strerror(errno));
		*status = 126;
	}
	return image;
}

/* A dynamic program travels with its interpreter (PT_INTERP), read here
 * since the LWK has no files of its own. The kernel checks both files:
 * one that the ELF loader refuses here is left for the kernel to refuse. */
static int load_interp(const char *prog, const struct blob *image, struct blob *interp)
{
	static struct elf_image img;
	char err[200], path[ELF_INTERP_MAX + 1];

	*interp = (struct blob){ NULL, 0 };
	if (elf_parse(image->data, image->size, &img, err, sizeof(err)) || !img.interp)
		return 0;
	snprintf(path, sizeof(path), "%.*s", (int)img.interp_len, img.interp);
	interp->data = file_read(path, &interp->size);
	if (!interp->data) {
		fprintf(stderr, "lwkctl: %s: cannot execute: its interpreter %s: %s\n", prog, path,
			strerror(errno));
		return errno == ENOENT ? 127 : 126; /* as the shell says */
	}
	return 0;
}

int lwkctl_bare(int argc, char **argv)
{
	struct bare_opts o;
	struct work w = { 0 };
	struct blob image, interp;
	int fd, status = 0, qs;
	FILE *stats;
	pid_t pid;

	if (parse_bare(argc, argv, &o))
		return OPTIONS_USAGE_ERROR;
	image.data = load_program(o.argv[0], &image.size, &status);
	if (!image.data)
		return status;
	status = load_interp(o.argv[0], &image, &interp);
	if (status)
		return status;
	if (lwkctl_kernel_path(NULL, w.kernel, sizeof(w.kernel)) || access(w.kernel, R_OK)) {
		fprintf(stderr,
			"lwkctl: cannot find the kernel image (%s); build it with 'make' or set "
			"LWK_KERNEL\n",
			w.kernel);
		return 125;
	}
	fd = work_make(&w);
	if (fd < 0 || write_bundle(fd, &o, &image, &interp)) {
		fprintf(stderr, "lwkctl: cannot write work files in %s: %s\n", w.dir,
			strerror(errno));
		return 125;
	}
	close(fd);
	free(image.data);
	free(interp.data);
	pid = start_qemu(&o, &w);
	qs = pid > 0 ? wait_qemu(pid, o.timeout) : -1;
	copy_file(w.out, stdout);
	copy_file(w.err, stderr);
	if (qs == -1) {
		fprintf(stderr,
			"lwkctl: %s did not finish within %u s; stopped it (boot log: %s)\n",
			o.argv[0], o.timeout, w.log);
		return 124;
	}
	stats = !o.stats ? NULL : strcmp(o.stats, "-") ? fopen(o.stats, "w") : stderr;
	if (o.stats && !stats)
		fprintf(stderr, "lwkctl: cannot write the counters to %s: %s\n", o.stats,
			strerror(errno));
	status = verdict(&w, o.argv[0], qs, stats);
	if (stats && stats != stderr && fclose(stats))
		fprintf(stderr, "lwkctl: cannot write the counters to %s: %s\n", o.stats,
			strerror(errno));
	if (o.keep || status == 125)
		fprintf(stderr, "lwkctl: work files kept in %s\n", w.dir);
	else
		work_remove(&w);
	return status;
}

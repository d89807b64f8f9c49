// SPDX-License-Identifier: GPL-2.0-only
/*
 * lwkctl boot: without --vm, a partition beside Linux through lwk.ko
 * (lwkctl_pboot.c); this file parses the options of both kinds and boots
 * the VM kind.
 *
 * lwkctl boot --vm: a VM partition is a QEMU guest
 * running the LWK whose RAM is a shared file in /dev/shm, so this host maps
 * the channel (and lwkexec the processes' memory) by file offset. QEMU runs
 * in the background, in its own session, its serial console going to a log
 * in the partition's state directory; the partition record there says how
 * to reach it (partition.h); lwkctl shutdown stops it. Nothing here needs
 * root: the partition, its QEMU and its files are the booting user's, and
 * private to them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uapi/lwk/channel.h>
#include "lwkctl.h"
#include <uapi/lwk/lwkdev.h>
#include "partition.h"

#define CHAN_BASE 0x1000000ull /* 16 MiB: fixed, see the channel's shim key */
#define CHAN_SIZE 0x400000ull  /* 4 MiB */
#define MiB ((uint64_t)1 << 20)
#define MIN_MEM (64 * MiB) /* kernel, channel and a little for processes */
#define DEFAULT_MEM (1024 * MiB)
#define DEFAULT_CPUS 4
#define MAX_CPUS 255
#define DEFAULT_BOOT_TIMEOUT 60
#define TAIL_LINES 12

struct boot_opts {
	int vm;
	const char *cpus_arg;
	unsigned long cpus;
	uint64_t mem;
	const char *name;
	const char *kernel;
	const char *kargs;
	unsigned long timeout;
	uint64_t cpu_mask[LWK_DEV_MAX_CPUS / 64]; /* beside Linux */
};

void lwkctl_boot_usage(FILE *f)
{
	fprintf(f,
		"usage: lwkctl boot --cpus LIST --mem SIZE [--name NAME] [--kernel PATH]\n"
		"                   [--kernel-args ARGS] [--timeout SEC]\n"
		"       lwkctl boot --vm [--cpus N] [--mem SIZE] [--name NAME] [--kernel PATH]\n"
		"                   [--kernel-args ARGS] [--timeout SEC]\n"
		"  Without --vm: a partition beside Linux on this node, through lwk.ko (root, or\n"
		"  the module's admin group). lwk.ko takes the Linux cores in LIST (e.g. 2-3 or\n"
		"  2,3; the lowest is the LWK's service core) and SIZE of memory (whole 2 MiB)\n"
		"  away from Linux, lwkctl loads the kernel there and waits until it is ready.\n"
		"  'lwkctl shutdown' gives everything back. Every user allowed to open\n"
		"  /dev/lwk can see it and run programs on it.\n"
		"\n"
		"  With --vm: the LWK in a QEMU guest in the background, its RAM a shared file\n"
		"  (/dev/shm/lwk-UID-NAME-mem, yours only) through which lwkexec serves\n"
		"  programs. Returns once the LWK is ready; 'lwkctl shutdown' stops it. Any\n"
		"  user may boot VM partitions; no other user can use, see or stop them.\n"
		"  --vm                a QEMU partition\n"
		"  --cpus N            (--vm) cores, 2..%d (default %d); core 0 is the service\n"
		"                      core that talks to Linux, the others run programs\n"
		"  --cpus LIST         (beside Linux) which Linux cores, at least two\n"
		"  --mem SIZE          memory, e.g. 512M or 2G (default 1G, at least 64M)\n"
		"  --name NAME         the partition's name (default $LWK_PARTITION, else lwk0)\n"
		"  --kernel PATH       the kernel image (default $LWK_KERNEL, else ../lwk.elf\n"
		"                      next to this program)\n"
		"  --kernel-args ARGS  extra LWK command line, e.g. \"loglevel=debug\"\n"
		"  --timeout SEC       give up if the LWK is not ready in SEC s (default %d)\n"
		"  QEMU runs with TCG unless KVM is hardware-backed. Its console log and the\n"
		"  partition record are in $XDG_RUNTIME_DIR/lwk/NAME/ (else /run/lwk/NAME/ for\n"
		"  root, /tmp/lwk-UID/NAME/ for other users).\n",
		MAX_CPUS, DEFAULT_CPUS, DEFAULT_BOOT_TIMEOUT);
}

static int name_valid(const char *name)
{
	size_t n = strlen(name);

	return n && n < 64 && name[0] != '.' && name[0] != '-' &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
		   n;
}

enum { BOOT_VM, BOOT_CPUS, BOOT_MEM, BOOT_NAME, BOOT_KERNEL, BOOT_KARGS, BOOT_TIMEOUT };

static const struct options_spec boot_specs[] = {
	{ "--vm", 0, 0, BOOT_VM },	     { "--cpus", 0, 1, BOOT_CPUS },
	{ "--mem", 0, 1, BOOT_MEM },	     { "--name", 0, 1, BOOT_NAME },
	{ "--kernel", 0, 1, BOOT_KERNEL },   { "--kernel-args", 0, 1, BOOT_KARGS },
	{ "--timeout", 0, 1, BOOT_TIMEOUT }, { NULL, 0, 0, 0 },
};

static int boot_mem_value(struct options *it, const char *v, uint64_t *mem)
{
	char err[200], a[32];

	if (values_size("--mem", v, mem, err, sizeof(err)))
		return options_error(it, "%s", err);
	if (*mem < MIN_MEM)
		return options_error(it,
				     "--mem %s (%s) is too little: a partition needs at least 64M",
				     v, values_size_name(*mem, a, sizeof(a)));
	if (*mem % MiB)
		return options_error(
		    it, "--mem %s is not a whole number of MiB, QEMU's unit; try %lluM", v,
		    (unsigned long long)(*mem / MiB));
	return 0;
}

/* --cpus in VM mode: a count. */
static int boot_vm_cpus(struct options *it, struct boot_opts *o)
{
	if (o->cpus_arg && !o->cpus)
		return options_error(it,
				     "--cpus wants 2 to %d cores (core 0 serves Linux, the others "
				     "run programs), not '%s'",
				     MAX_CPUS, o->cpus_arg);
	if (!o->cpus)
		o->cpus = DEFAULT_CPUS;
	return 0;
}

static int boot_take(struct options *it, int id, const char *v, void *ctx)
{
	struct boot_opts *o = ctx;

	switch (id) {
	case BOOT_VM:
		o->vm = 1;
		return 0;
	case BOOT_CPUS:
		o->cpus_arg = v; /* a count or a list: boot_parse sees which */
		if (values_uint(v, 2, MAX_CPUS, &o->cpus))
			o->cpus = 0;
		return 0;
	case BOOT_MEM:
		return boot_mem_value(it, v, &o->mem);
	case BOOT_NAME:
		if (!name_valid(v))
			return options_error(it,
					     "--name wants letters, digits, '.', '_' or '-' "
					     "(at most 63), not '%s'",
					     v);
		o->name = v;
		return 0;
	case BOOT_KERNEL:
		o->kernel = v;
		return 0;
	case BOOT_KARGS:
		o->kargs = v;
		return 0;
	case BOOT_TIMEOUT:
		if (values_uint(v, 1, VALUES_SECONDS_MAX, &o->timeout))
			return options_error(it, "--timeout wants seconds (1 or more), not '%s'",
					     v);
		return 0;
	}
	return 0;
}

/* Without --vm: a list of Linux cores and whole 2 MiB of memory. */
static int boot_beside_linux(struct options *it, struct boot_opts *o)
{
	char err[256];
	unsigned int count = 0, n = 0;

	if (!o->cpus_arg)
		return options_error(it, "say which Linux cores to take, e.g. --cpus 2-3 (or --vm "
					 "for a QEMU partition)");
	memset(o->cpu_mask, 0, sizeof(o->cpu_mask));
	if (values_cores(o->cpus_arg, &count, o->cpu_mask, err, sizeof(err)))
		return options_error(it, "--cpus %s", err);
	if (count) { /* one number: that core */
		if (count >= LWK_DEV_MAX_CPUS)
			return options_error(it, "--cpus %s: Linux cores are numbered below %d",
					     o->cpus_arg, LWK_DEV_MAX_CPUS);
		o->cpu_mask[count / 64] |= 1ull << (count % 64);
	}
	for (unsigned int i = 0; i < LWK_DEV_MAX_CPUS / 64; i++)
		n += (unsigned int)__builtin_popcountll(o->cpu_mask[i]);
	if (n < 2)
		return options_error(it,
				     "--cpus %s names one core; a partition needs at least two "
				     "(a service core and one to run programs), e.g. --cpus 2-3",
				     o->cpus_arg);
	if (o->mem % (2 * MiB))
		return options_error(it, "--mem must be whole 2 MiB pages beside Linux; try %lluM",
				     (unsigned long long)(o->mem / (2 * MiB) * 2));
	return 0;
}

static int boot_parse(int argc, char **argv, struct boot_opts *o)
{
	struct options it = { .prog = "lwkctl boot",
			      .specs = boot_specs,
			      .usage = lwkctl_boot_usage,
			      .argc = argc,
			      .argv = argv };
	const char *env = getenv("LWK_PARTITION");

	*o = (struct boot_opts){ .mem = DEFAULT_MEM,
				 .name = env && *env ? env : "lwk0",
				 .timeout = DEFAULT_BOOT_TIMEOUT };
	if (options_parse(&it, boot_take, o))
		return -1;
	if (!name_valid(o->name)) {
		options_error(&it, "LWK_PARTITION='%s' is not a partition name", o->name);
		return -1;
	}
	if (o->vm)
		return boot_vm_cpus(&it, o);
	return boot_beside_linux(&it, o);
}

/* A record of that name: refuse if its QEMU runs, else clear it away. */
static int boot_check_name(const char *state, const char *name)
{
	char dir[PATH_MAX + 80], err[512];
	struct partition old;

	snprintf(dir, sizeof(dir), "%s/%s", state, name);
	if (partition_load(dir, &old, err, sizeof(err)) == -ENOENT)
		return 0;
	if (old.qemu_pid > 0 && partition_alive(&old)) {
		fprintf(stderr,
			"lwkctl: partition '%s' is already up (QEMU pid %d); stop it with 'lwkctl "
			"shutdown --name %s' or choose another --name\n",
			name, old.qemu_pid, name);
		return -1;
	}
	if (old.qemu_pid > 0)
		fprintf(stderr, "lwkctl: %s: QEMU (pid %d) is gone; removed its old record\n", name,
			old.qemu_pid);
	lwkctl_partition_remove(&old, 0); /* partition_load set old.dir */
	return 0;
}

/* A memory file that another QEMU uses (a partition of the same name
 * recorded in another state directory): the pid, else 0. */
static int mem_file_user(const char *mem_path)
{
	struct partition probe = { .qemu_pid = 0 };
	struct dirent *d;
	DIR *proc = opendir("/proc");
	int pid = 0;

	snprintf(probe.mem_path, sizeof(probe.mem_path), "mem-path=%s,", mem_path);
	while (proc && !pid && (d = readdir(proc))) {
		probe.qemu_pid = atoi(d->d_name);
		if (probe.qemu_pid > 0 && probe.qemu_pid != getpid() && partition_alive(&probe))
			pid = probe.qemu_pid;
	}
	if (proc)
		closedir(proc);
	return pid;
}

static int boot_check_mem_file(const char *name)
{
	char path[128];
	int pid;

	if (partition_mem_path(name, path, sizeof(path)))
		return -1; /* cannot be: names are short */
	pid = access(path, F_OK) ? 0 : mem_file_user(path);
	if (pid) {
		fprintf(stderr,
			"lwkctl: %s is in use by QEMU pid %d (a partition named '%s' recorded in "
			"another state directory?); choose another --name\n",
			path, pid, name);
		return -1;
	}
	return 0;
}

/* The memory file is safe in /dev/shm only while nobody else may remove
 * or rename it: the directory is sticky, or only its owner writes it. */
static int shm_dir_safe(void)
{
	struct stat st;

	if (stat("/dev/shm", &st)) {
		fprintf(stderr, "lwkctl: cannot use /dev/shm for the guest's memory: %s\n",
			strerror(errno));
		return -1;
	}
	if ((st.st_uid && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH) && !(st.st_mode & S_ISVTX))) {
		fprintf(
		    stderr,
		    "lwkctl: /dev/shm lets other users replace the partition's memory file "
		    "(mode %04o, owner uid %u); have root make it sticky: chmod 1777 /dev/shm\n",
		    (unsigned int)(st.st_mode & 07777), (unsigned int)st.st_uid);
		return -1;
	}
	return 0;
}

/* tmpfs fills up silently: QEMU would die of SIGBUS when the guest touches
 * a page that has no room. */
static int boot_check_shm(uint64_t mem)
{
	struct statvfs sv;
	uint64_t avail;

	if (shm_dir_safe())
		return -1;
	if (statvfs("/dev/shm", &sv)) {
		fprintf(stderr, "lwkctl: cannot use /dev/shm for the guest's memory: %s\n",
			strerror(errno));
		return -1;
	}
	avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	if (avail < mem) {
		fprintf(stderr,
			"lwkctl: /dev/shm has %" PRIu64 " MiB free, the partition wants %" PRIu64
			" MiB; ask for less with --mem or free /dev/shm\n",
			avail / MiB, mem / MiB);
		return -1;
	}
	return 0;
}

static int boot_fill(const struct boot_opts *o, const char *state, struct partition *p)
{
	memset(p, 0, sizeof(*p));
	p->tr.fd = -1;
	snprintf(p->name, sizeof(p->name), "%s", o->name);
	snprintf(p->kind, sizeof(p->kind), "vm");
	if (snprintf(p->dir, sizeof(p->dir), "%s/%s", state, o->name) >= (int)sizeof(p->dir) ||
	    snprintf(p->console, sizeof(p->console), "%s/console.log", p->dir) >=
		(int)sizeof(p->console)) {
		fprintf(stderr, "lwkctl: the state directory's path %s is too long\n", state);
		return -1;
	}
	if (partition_mem_path(o->name, p->mem_path, sizeof(p->mem_path)))
		return -1; /* cannot be: names are short */
	p->mem_size = o->mem;
	p->low_ram = transport_vm_low_ram(o->mem);
	p->chan_base = CHAN_BASE;
	p->chan_size = CHAN_SIZE;
	p->cpus = o->cpus;
	return 0;
}

/* The child: its own session (Ctrl-C at our terminal must not reach it),
 * no stdin, its console and its own complaints into the log. */
static void boot_exec_qemu(const struct partition *p, const char *kernel, const char *kargs)
{
	char machine[64], backend[PATH_MAX + 128], mem[32], smp[16], append[4096];
	int kvm = lwkctl_kvm_usable();
	int log = open(p->console, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
		       0600);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	char *args[] = { "qemu-system-x86_64",
			 "-accel",
			 kvm ? "kvm" : "tcg",
			 "-cpu",
			 kvm ? "host" : "max",
			 "-machine",
			 machine,
			 "-object",
			 backend,
			 "-m",
			 mem,
			 "-smp",
			 smp,
			 "-kernel",
			 (char *)kernel,
			 "-append",
			 append,
			 "-device",
			 "isa-debug-exit,iobase=0xf4,iosize=0x04",
			 "-nic",
			 "none", /* no NIC: no option ROM to load at boot */
			 "-nographic",
			 "-no-reboot",
			 NULL };

	setsid();
	signal(SIGPIPE, SIG_DFL); /* ignored in lwkctl, and exec keeps that */
	/* (fchmod: an older lwkctl's log was 0644) */
	if (log < 0 || null < 0 || fchmod(log, 0600) || dup2(null, 0) < 0 || dup2(log, 1) < 0 ||
	    dup2(log, 2) < 0)
		_exit(126);
	snprintf(machine, sizeof(machine), "q35,memory-backend=mem");
	snprintf(backend, sizeof(backend),
		 "memory-backend-file,id=mem,size=%" PRIu64 "M,mem-path=%s,share=on",
		 p->mem_size / MiB, p->mem_path);
	snprintf(mem, sizeof(mem), "%" PRIu64 "M", p->mem_size / MiB);
	snprintf(smp, sizeof(smp), "%u", p->cpus);
	snprintf(append, sizeof(append), "%s=0x%" PRIx64 ",0x%" PRIx64 "%s%s", LWK_CHAN_CMDLINE_KEY,
		 p->chan_base, p->chan_size, kargs ? " " : "", kargs ? kargs : "");
	execvp(args[0], args);
	fprintf(stderr, "lwkctl: cannot run qemu-system-x86_64 (%s); install qemu-system-x86\n",
		strerror(errno));
	_exit(127);
}

static volatile sig_atomic_t boot_interrupted;

static void boot_on_signal(int sig)
{
	boot_interrupted = sig;
}

/* Map the channel once the memory file is there and full-sized. */
static void boot_try_map(struct partition *p)
{
	char err[512];

	if (p->hdr)
		return;
	if (p->tr.fd < 0 &&
	    transport_vm_open(&p->tr, p->mem_path, p->mem_size, p->low_ram, err, sizeof(err)))
		return;
	p->hdr = transport_map(&p->tr, p->chan_base, p->chan_size, PROT_READ | PROT_WRITE, NULL);
}

/* 1: ready; 0: not yet; -1: failed (said why). Both kinds of partition. */
int lwkctl_ready_poll(const struct partition *p)
{
	const struct lwk_chan_header *h = p->hdr;
	uint32_t state;

	if (!h || __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != LWK_CHAN_MAGIC)
		return 0;
	if (h->abi_version != LWK_ABI_VERSION) {
		fprintf(stderr,
			"lwkctl: lwk kernel speaks ABI version %u, this lwkctl/lwkexec speaks %u; "
			"use matching builds\n",
			h->abi_version, LWK_ABI_VERSION);
		return -1;
	}
	state = __atomic_load_n(&h->state, __ATOMIC_ACQUIRE);
	if (state == LWK_STATE_READY)
		return 1;
	if (state == LWK_STATE_PANICKED) {
		fprintf(stderr, "lwkctl: %s: the LWK panicked while booting: %.*s\n", p->name,
			LWK_CHAN_PANIC_LEN, h->panic);
		return -1;
	}
	if (state == LWK_STATE_DOWN) {
		fprintf(stderr, "lwkctl: %s: the LWK stopped while booting\n", p->name);
		return -1;
	}
	return 0;
}

static const char *boot_stage(const struct partition *p)
{
	if (!p->hdr)
		return "lwkctl could not map the memory file";
	if (__atomic_load_n(&p->hdr->magic, __ATOMIC_ACQUIRE) != LWK_CHAN_MAGIC)
		return "the LWK never set up its channel: is the kernel built with channel "
		       "support?";
	return "the LWK set up its channel but never became ready";
}

/* QEMU's exit status, with what the LWK meant by it (isa-debug-exit
 * turns the kernel's code V into 2V+1). */
static const char *qemu_status_text(int status)
{
	static char text[96];

	if (!WIFEXITED(status))
		snprintf(text, sizeof(text), "killed by signal %d", WTERMSIG(status));
	else if (WEXITSTATUS(status) == 35)
		snprintf(text, sizeof(text), "status 35: the LWK stopped on an error");
	else if (WEXITSTATUS(status) == 37)
		snprintf(text, sizeof(text), "status 37: the LWK panicked");
	else
		snprintf(text, sizeof(text), "status %d", WEXITSTATUS(status));
	return text;
}

/* Wait for READY, QEMU's end, a signal or the timeout. */
static int boot_wait(struct partition *p, unsigned long timeout)
{
	uint64_t deadline = lwkctl_now_ms() + timeout * 1000;
	int status, r;

	for (;;) {
		if (waitpid(p->qemu_pid, &status, WNOHANG) == p->qemu_pid) {
			p->qemu_pid = -p->qemu_pid; /* reaped: nothing to kill */
			fprintf(stderr, "lwkctl: %s: QEMU exited (%s) before the LWK was ready\n",
				p->name, qemu_status_text(status));
			boot_try_map(p); /* the file outlives QEMU: a panic line is there */
			lwkctl_ready_poll(p);
			return -1;
		}
		boot_try_map(p);
		r = lwkctl_ready_poll(p);
		if (r)
			return r > 0 ? 0 : -1;
		if (boot_interrupted) {
			fprintf(stderr, "lwkctl: %s: interrupted (%s) while booting\n", p->name,
				strsignal(boot_interrupted));
			return -1;
		}
		if (lwkctl_now_ms() > deadline) {
			fprintf(stderr, "lwkctl: %s was not ready within %lu s (%s)\n", p->name,
				timeout, boot_stage(p));
			return -1;
		}
		lwkctl_sleep_ms(LWKCTL_POLL_MS);
	}
}

static void boot_fail(struct partition *p)
{
	partition_detach(p);
	if (p->qemu_pid > 0)
		lwkctl_qemu_kill(p, 1);
	lwkctl_partition_remove(p, 0); /* the console log stays, to be read */
	fprintf(stderr, "lwkctl: %s: stopped; the console's last lines (all in %s):\n", p->name,
		p->console);
	lwkctl_print_tail(p->console, TAIL_LINES, stderr);
}

void lwkctl_boot_report(const struct partition *p)
{
	unsigned int n = p->hdr->ncpus;
	char err[512];
	struct partition only;
	int alone = !partition_find(NULL, &only, err, sizeof(err)) && !strcmp(only.name, p->name);

	printf("%s: up, %u cores (1 service + %u compute), %" PRIu64 " MiB; ", p->name, n,
	       n ? n - 1 : 0, p->mem_size / MiB);
	if (alone)
		printf("lwkexec PROG runs programs on it\n");
	else
		printf("lwkexec --partition %s PROG runs programs on it\n", p->name);
}

static void boot_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = boot_on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* 'lwkctl boot | head' must still clean up */
}

static int mem_file_error(const struct partition *p, const char *what)
{
	fprintf(stderr, "lwkctl: cannot %s memory file %s: %s\n", what, p->mem_path,
		strerror(errno));
	return -1;
}

/* A file where the memory file goes. Ours is a dead partition's (no QEMU
 * uses it: boot_check_mem_file) and goes; another user's is refused. */
static int mem_file_clear(const struct partition *p)
{
	char owner[96];
	struct stat st;

	if (lstat(p->mem_path, &st))
		return errno == ENOENT ? 0 : mem_file_error(p, "look at the");
	if (st.st_uid != geteuid()) {
		partition_user_name(st.st_uid, owner, sizeof(owner));
		fprintf(stderr,
			"lwkctl: %s, the memory file of partition '%s', is there already and "
			"belongs to %s, not to you; choose another --name (or have root remove "
			"the file)\n",
			p->mem_path, p->name, owner);
		return -1;
	}
	return unlink(p->mem_path) && errno != ENOENT ? mem_file_error(p, "remove the old") : 0;
}

/* The guest's memory file, made here owner-only and full-sized before
 * QEMU opens it: memory-backend-file uses an existing file as it is, and
 * one it made itself would be 0644, every program's memory readable by
 * every user. /dev/shm is sticky (shm_dir_safe), so nobody else can
 * remove or swap a file of ours there afterwards. */
static int mem_file_create(const struct partition *p)
{
	int fd = -1;

	for (int tries = 0; fd < 0 && tries < 3; tries++) {
		if (mem_file_clear(p))
			return -1;
		fd = open(p->mem_path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	/* (fchmod: the umask may have taken the owner's write bit) */
	if (fd < 0 || fchmod(fd, 0600) || ftruncate(fd, (off_t)p->mem_size)) {
		mem_file_error(p, "make the");
		if (fd >= 0) {
			close(fd);
			unlink(p->mem_path);
		}
		return -1;
	}
	close(fd);
	return 0;
}

static int boot_start(const struct boot_opts *o, struct partition *p, const char *kernel)
{
	char err[512];
	pid_t pid;

	if ((mkdir(p->dir, 0700) && errno != EEXIST) || chmod(p->dir, 0700)) {
		fprintf(stderr, "lwkctl: cannot make %s: %s\n", p->dir, strerror(errno));
		return -1;
	}
	if (mem_file_create(p))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "lwkctl: cannot start QEMU: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0)
		boot_exec_qemu(p, kernel, o->kargs);
	p->qemu_pid = pid;
	if (partition_save(p, err, sizeof(err))) {
		fprintf(stderr, "lwkctl: %s\n", err);
		boot_fail(p);
		return -1;
	}
	return 0;
}

int lwkctl_boot(int argc, char **argv)
{
	char state[PATH_MAX], kernel[PATH_MAX] = "";
	struct boot_opts o;
	struct partition p;

	if (boot_parse(argc, argv, &o))
		return OPTIONS_USAGE_ERROR;
	if (!o.vm) {
		struct lwkctl_pboot_opts po = { .name = o.name,
						.mem = o.mem,
						.kernel = o.kernel,
						.kargs = o.kargs,
						.timeout = o.timeout };

		memcpy(po.cpu_mask, o.cpu_mask, sizeof(po.cpu_mask));
		return lwkctl_pboot(&po);
	}
	if (lwkctl_may_manage("boot", state, sizeof(state)))
		return 1;
	if (lwkctl_kernel_path(o.kernel, kernel, sizeof(kernel)) || access(kernel, R_OK)) {
		fprintf(stderr,
			"lwkctl: cannot read the kernel image %s; build it with 'make', or name it "
			"with --kernel or LWK_KERNEL\n",
			kernel);
		return 1;
	}
	if (boot_check_name(state, o.name) || boot_check_mem_file(o.name) ||
	    boot_check_shm(o.mem) || boot_fill(&o, state, &p))
		return 1;
	boot_catch_signals();
	if (boot_start(&o, &p, kernel))
		return 1;
	if (boot_wait(&p, o.timeout)) {
		boot_fail(&p);
		return 1;
	}
	lwkctl_boot_report(&p);
	partition_detach(&p);
	return 0;
}

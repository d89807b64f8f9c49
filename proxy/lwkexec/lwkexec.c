// SPDX-License-Identifier: GPL-2.0-only
/*
 * lwkexec: run one program on an LWK partition and be its proxy on Linux.
 *
 *   lwkexec [--partition NAME] [--cores N|LIST] [--mem SIZE] [--] PROG [ARGS...]
 *
 * It finds PROG as the shell would, checks it with the kernel's own ELF
 * loader, asks the LWK for a process (service_launch.c), serves its
 * forwarded system calls until it exits (service_dispatch.c), and exits
 * with its status, dying of the same signal if a signal killed it.
 * Signals sent to lwkexec (Ctrl-C, kill, a job launcher) go to the LWK
 * process.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <elf_loader.h>
#include <uapi/lwk/channel_msg.h>
#include "file.h"
#include "options.h"
#include "partition.h"
#include "service.h"
#include "values.h"

#define READY_TIMEOUT_S 30
#define SCRIPT_LINE_MAX 256 /* as Linux reads a #! line */
#define SCRIPT_DEPTH_MAX 5  /* #! scripts in a row that Linux follows */
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

extern char **environ;

/* The signals lwkexec passes on to the process. */
static const int forwarded_signals[] = { SIGHUP,  SIGINT,  SIGQUIT, SIGUSR1,
					 SIGUSR2, SIGTERM, SIGALRM, SIGWINCH };
static struct lwk_chan_proc *volatile signal_entry;
static struct transport *volatile signal_tr; /* set before signal_entry */

struct exec_opts {
	const char *partition;
	const char *cores; /* --cores as given, or NULL */
	unsigned int ncores;
	uint64_t core_mask[LWK_CHAN_MAX_CPUS / 64];
	const char *mem_arg; /* --mem as given, or NULL */
	uint64_t mem;
	char **argv; /* PROG ARGS... */
};

struct program {
	const char *name;    /* PROG as given */
	char path[PATH_MAX]; /* as found (argv[0] of a script's interpreter) */
	void *image, *interp;
	size_t image_size, interp_size;
	char **argv; /* what the process gets */
	char interp_path[ELF_INTERP_MAX + 1];
	char script[PATH_MAX]; /* the #! script run through path, or "" */
};

static void usage(FILE *f)
{
	fputs(
	    "usage: lwkexec [--partition NAME] [--cores N|LIST] [--mem SIZE] [--] PROG [ARGS...]\n"
	    "  Run PROG on LWK cores of a running partition (see 'lwkctl boot --vm') and\n"
	    "  serve its system calls from here; exits with PROG's status.\n"
	    "  --partition NAME  the partition (default: $LWK_PARTITION, or the only one)\n"
	    "  --cores N|LIST    N cores (default 1), or exactly the cores of LIST, e.g.\n"
	    "                    1,2,5-7 (a single core: 3-3); core 0 is the service core\n"
	    "  --mem SIZE        memory for PROG, e.g. 512M or 2G (default: a fair share)\n"
	    "  PROG is looked up in $PATH when it has no '/'. LWKEXEC_DEBUG=1 names the\n"
	    "  system calls lwkexec does not serve, LWKEXEC_DEBUG=2 traces every one.\n"
	    "  Exits 125 when the partition fails under PROG (a panic, a shutdown, or an\n"
	    "  LWK that has not answered for LWKEXEC_HANG_S seconds, default 30).\n",
	    f);
}

static int mem_option(const char *v, struct exec_opts *o)
{
	char err[200], size[32];

	if (values_size("--mem", v, &o->mem, err, sizeof(err))) {
		fprintf(stderr, "lwkexec: %s\n", err);
		return -1;
	}
	if (o->mem < LWK_PROC_MEM_MIN) {
		fprintf(stderr,
			"lwkexec: --mem %s (%s) is too little: a process needs at least %lluM\n", v,
			values_size_name(o->mem, size, sizeof(size)), LWK_PROC_MEM_MIN >> 20);
		return -1;
	}
	o->mem_arg = v;
	return 0;
}

static int cores_option(const char *v, struct exec_opts *o)
{
	char err[200];

	if (values_cores(v, &o->ncores, o->core_mask, err, sizeof(err))) {
		fprintf(stderr, "lwkexec: --cores %s\n", err);
		return -1;
	}
	o->cores = v;
	return 0;
}

enum { OPT_PARTITION, OPT_CORES, OPT_MEM };

static const struct options_spec option_specs[] = {
	{ "--partition", 0, 1, OPT_PARTITION },
	{ "--cores", 0, 1, OPT_CORES },
	{ "--mem", 0, 1, OPT_MEM },
	{ NULL, 0, 0, 0 },
};

static int option_take(struct options *it, int id, const char *v, void *ctx)
{
	struct exec_opts *o = ctx;

	if (id == OPT_CORES)
		return cores_option(v, o);
	if (id == OPT_MEM)
		return mem_option(v, o);
	o->partition = v;
	return 0;
}

static int parse_options(int argc, char **argv, struct exec_opts *o)
{
	struct options it = { .prog = "lwkexec",
			      .specs = option_specs,
			      .operands = 1,
			      .usage = usage,
			      .argc = argc,
			      .argv = argv,
			      .i = 1 };

	*o = (struct exec_opts){ .ncores = 1 };
	if (options_parse(&it, option_take, o))
		return -1;
	if (it.i >= argc) {
		fprintf(stderr, "lwkexec: no program given; see 'lwkexec --help'\n");
		return -1;
	}
	o->argv = argv + it.i;
	return 0;
}

/* --- finding and reading the program --- */

/* PROG as the shell finds it: 0, or 126/127 after the shell's message.
 * What execve(2) checks besides (a regular file we may execute, on a
 * mount that allows it) is checked on the file itself as it is read. */
static int program_find(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p;
	int denied = 0;
	struct stat st;

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		if (stat(name, &st)) {
			fprintf(stderr, "lwkexec: %s: %s\n", name, strerror(errno));
			return errno == ENOENT || errno == ENOTDIR ? 127 : 126;
		}
		if (S_ISDIR(st.st_mode)) { /* execve says EACCES, the shell this */
			fprintf(stderr, "lwkexec: %s: Is a directory\n", name);
			return 126;
		}
		return 0;
	}
	for (p = path ? path : DEFAULT_PATH;;) {
		size_t n = strcspn(p, ":");

		snprintf(out, len, "%.*s%s%s", (int)n, n ? p : ".", "/", name);
		if (!stat(out, &st) && !S_ISDIR(st.st_mode)) {
			if (S_ISREG(st.st_mode) && !access(out, X_OK))
				return 0;
			denied = 1; /* and on, as execvp goes past EACCES */
		}
		if (!p[n])
			break;
		p += n + 1;
	}
	if (denied) {
		fprintf(stderr, "lwkexec: %s: Permission denied\n", name);
		return 126;
	}
	fprintf(stderr, "lwkexec: %s: command not found\n", name);
	return 127;
}

/* A "#!interp [arg]" script runs as interp [arg] script ARGS, like Linux
 * does it. 0 if @prog is no script, 1 if it was rewritten, or a status. */
static int script_rewrite(struct program *prog)
{
	char line[SCRIPT_LINE_MAX + 1], *interp, *arg, *end;
	size_t n = prog->image_size < SCRIPT_LINE_MAX ? prog->image_size : SCRIPT_LINE_MAX;
	int argc = 0, k = 0;
	char **argv;

	if (n < 2 || memcmp(prog->image, "#!", 2))
		return 0;
	memcpy(line, (char *)prog->image + 2, n - 2);
	line[n - 2] = '\0';
	line[strcspn(line, "\n")] = '\0';
	interp = line + strspn(line, " \t");
	end = interp + strcspn(interp, " \t");
	arg = *end ? end + 1 + strspn(end + 1, " \t") : end;
	*end = '\0';
	for (end = arg + strlen(arg); end > arg && (end[-1] == ' ' || end[-1] == '\t');)
		*--end = '\0';
	if (!*interp) {
		fprintf(stderr, "lwkexec: %s: cannot execute: its #! line names no interpreter\n",
			prog->path);
		return 126;
	}
	while (prog->argv[argc])
		argc++;
	argv = calloc((size_t)argc + 3, sizeof(*argv));
	if (!argv)
		return 126;
	argv[k++] = strdup(interp);
	if (*arg)
		argv[k++] = strdup(arg);
	argv[k++] = strdup(prog->path);
	for (int i = 1; i < argc; i++)
		argv[k++] = prog->argv[i];
	prog->argv = argv;
	free(prog->image);
	prog->image = NULL;
	snprintf(prog->script, sizeof(prog->script), "%s", prog->path);
	snprintf(prog->path, sizeof(prog->path), "%s", interp);
	return 1;
}

static int image_read(struct program *prog)
{
	prog->image = file_read_program(prog->path, &prog->image_size);
	if (!prog->image && prog->script[0]) {
		fprintf(stderr, "lwkexec: %s: %s: bad interpreter: %s\n", prog->script, prog->path,
			strerror(errno));
		return errno == ENOENT ? 127 : 126; /* as the shell says */
	}
	if (!prog->image) {
		fprintf(stderr, "lwkexec: %s: %s\n", prog->path, strerror(errno));
		return errno == ENOENT ? 127 : 126;
	}
	if (!prog->image_size) {
		fprintf(stderr, "lwkexec: %s: cannot execute: the file is empty\n", prog->path);
		return 126;
	}
	return 0;
}

/* PROG, and the interpreter of each #! script, read and checked as
 * execve checks them, until an ELF file: 0 or a status. */
static int image_load(struct program *prog)
{
	int r = image_read(prog);

	for (int depth = 0; !r && (r = script_rewrite(prog)) == 1; depth++) {
		if (depth == SCRIPT_DEPTH_MAX) {
			fprintf(stderr,
				"lwkexec: %s: cannot execute: more than %d #! scripts in a row\n",
				prog->name, SCRIPT_DEPTH_MAX);
			return 126;
		}
		r = image_read(prog);
	}
	return r;
}

/* Check PROG (and its interpreter) with the ELF loader the LWK uses. */
static int program_load(struct program *prog)
{
	static struct elf_image img, interp_img;
	char err[200];
	int r = image_load(prog);

	if (r)
		return r;
	if (elf_parse(prog->image, prog->image_size, &img, err, sizeof(err))) {
		fprintf(stderr, "lwkexec: %s: cannot execute: %s\n", prog->path, err);
		return 126;
	}
	if (!img.interp)
		return 0;
	snprintf(prog->interp_path, sizeof(prog->interp_path), "%.*s", (int)img.interp_len,
		 img.interp);
	prog->interp = file_read_program(prog->interp_path, &prog->interp_size);
	if (!prog->interp) {
		fprintf(stderr, "lwkexec: %s: cannot execute: its interpreter %s: %s\n", prog->path,
			prog->interp_path, strerror(errno));
		return errno == ENOENT ? 127 : 126;
	}
	if (elf_parse(prog->interp, prog->interp_size, &interp_img, err, sizeof(err))) {
		fprintf(stderr, "lwkexec: %s: cannot execute: its interpreter %s: %s\n", prog->path,
			prog->interp_path, err);
		return 126;
	}
	return 0;
}

/* --- the partition --- */

static int partition_open(const char *name, struct partition *p)
{
	char err[512];
	int r = partition_find(name, p, err, sizeof(err));

	if (!r && !partition_alive(p)) {
		fprintf(stderr, "lwkexec: partition %s is not running (%s); see 'lwkctl status'\n",
			p->name,
			strcmp(p->kind, "partition") ? "its QEMU exited" : "it was shut down");
		return 1;
	}
	if (!r)
		r = partition_attach(p, err, sizeof(err));
	if (r) {
		fprintf(stderr, "lwkexec: %s\n", err);
		return 1;
	}
	return 0;
}

/* Wait for READY: a partition may still be booting. */
static int partition_ready(const struct partition *p)
{
	struct timespec nap = { 0, 50 * 1000 * 1000 };

	for (int i = 0; i < READY_TIMEOUT_S * 20; i++) {
		uint32_t state = __atomic_load_n(&p->hdr->state, __ATOMIC_ACQUIRE);

		if (state == LWK_STATE_READY)
			return 0;
		if (state == LWK_STATE_PANICKED) {
			fprintf(stderr, "lwkexec: the LWK of partition %s panicked: %.*s\n",
				p->name, LWK_CHAN_PANIC_LEN, p->hdr->panic);
			return 1;
		}
		if (state == LWK_STATE_DOWN) {
			fprintf(stderr,
				"lwkexec: partition %s is shut down; boot one with 'lwkctl boot "
				"--vm'\n",
				p->name);
			return 1;
		}
		nanosleep(&nap, NULL);
	}
	fprintf(stderr,
		"lwkexec: partition %s did not become ready within %d s; see 'lwkctl "
		"status'\n",
		p->name, READY_TIMEOUT_S);
	return 1;
}

/* What the partition can give, checked here to say it clearly. */
static int request_check(const struct partition *p, const struct exec_opts *o,
			 struct launch_args *a)
{
	const struct lwk_chan_header *h = p->hdr;
	unsigned int apps = h->ncpus ? h->ncpus - 1 : 0;

	a->ncores = o->ncores;
	memcpy(a->core_mask, o->core_mask, sizeof(a->core_mask));
	if (a->ncores > apps) {
		fprintf(stderr,
			"lwkexec: --cores %u: partition %s has %u cores and core 0 serves the "
			"channel, so a process can have at most %u\n",
			a->ncores, p->name, h->ncpus, apps);
		return 1;
	}
	for (unsigned int c = 0; c < LWK_CHAN_MAX_CPUS; c++) {
		if (!(a->core_mask[c / 64] & (1ull << (c % 64))) || (c && c < h->ncpus))
			continue;
		if (c)
			fprintf(
			    stderr,
			    "lwkexec: --cores %s: no such core %u; partition %s has application "
			    "cores 1-%u\n",
			    o->cores, c, p->name, apps);
		else
			fprintf(stderr,
				"lwkexec: --cores %s: core 0 is the service core; partition %s has "
				"application cores 1-%u\n",
				o->cores, p->name, apps);
		return 1;
	}
	a->mem = o->mem;
	if (o->mem > h->mem_free) {
		fprintf(stderr,
			"lwkexec: --mem %s: %" PRIu64
			" MiB is more than partition %s has free (%" PRIu64 " MiB of %" PRIu64
			" MiB); ask for less, or boot a bigger partition\n",
			o->mem_arg, (o->mem + (1 << 20) - 1) >> 20, p->name,
			(uint64_t)h->mem_free >> 20, (uint64_t)h->mem_total >> 20);
		return 1;
	}
	return 0;
}

/* --- signals and the exit status --- */

/* The signal goes to the entry, and the service core (which may halt
 * with no timer beside Linux) is rung to take it. */
static void on_forwarded_signal(int sig)
{
	struct lwk_chan_proc *e = signal_entry;
	int saved = errno;

	if (e && __atomic_load_n(&e->owner, __ATOMIC_ACQUIRE) == (uint32_t)getpid()) {
		lwk_chan_signals_post(e, 1ull << (sig - 1));
		transport_ring(signal_tr, LWK_RING_SERVICE);
	}
	errno = saved;
	__atomic_or_fetch(&launch_signals_seen, 1ull << (sig - 1), __ATOMIC_RELEASE);
	if (!launch_signal && sig != SIGWINCH)
		launch_signal = sig; /* aborts a launch under way */
}

static void signals_block(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		sigaddset(set, forwarded_signals[i]);
	sigaddset(set, SVC_SIGINTR); /* only service threads take it, during a call */
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed pipe is the program's EPIPE (and SIGPIPE) */
	signal(SIGXFSZ, SIG_IGN); /* and a file too large its EFBIG */
	/* A stopped lwkexec stops bumping its lease, and the LWK kills the
	 * program a second later: job-control stops would be fatal. */
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
}

static void signals_forward(struct lwk_chan_proc *e, struct transport *t)
{
	struct sigaction sa = { .sa_handler = on_forwarded_signal, .sa_flags = SA_RESTART };
	sigset_t set;

	signal_tr = t;
	signal_entry = e;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++) {
		sigaction(forwarded_signals[i], &sa, NULL);
		sigaddset(&set, forwarded_signals[i]);
	}
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/* Die of @sig as the program did, so that the shell reports it; no core
 * file (the core would be lwkexec's). */
static void die_by_signal(int sig)
{
	struct rlimit none = { 0, 0 };
	sigset_t set;

	fflush(NULL);
	signal(sig, SIG_DFL);
	setrlimit(RLIMIT_CORE, &none);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	exit(128 + sig);
}

static void exit_like(int wait_status)
{
	if (WIFSIGNALED(wait_status))
		die_by_signal(WTERMSIG(wait_status));
	exit(WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 1);
}

/* --- main --- */

/* lwkexec's messages go to a copy of stderr kept among its own fds: the
 * program may close fd 2 (coreutils do at exit) or put a file there. The
 * fd number is lwkexec's, the file stays the user's: the program may open
 * it by name (cat F 2>>F). */
static void stderr_keep(struct svc *s, int above)
{
	int fd = fcntl(2, F_DUPFD_CLOEXEC, above);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f) {
		if (fd >= 0)
			close(fd);
		return;
	}
	setvbuf(f, NULL, _IONBF, 0);
	stderr = f; /* glibc's stderr is a plain variable, meant to be set */
	s->user_files |= 1u << s->nreserved;
	s->reserved_fds[s->nreserved++] = fd;
}

static int run(struct partition *p, struct program *prog, const struct exec_opts *o)
{
	static struct svc s;
	struct launch_args a = { 0 };
	struct launch l;
	sigset_t blocked;
	int r;

	if (request_check(p, o, &a))
		return 1;
	a.image = prog->image;
	a.image_size = prog->image_size;
	a.interp = prog->interp;
	a.interp_size = prog->interp_size;
	a.argv = prog->argv;
	a.envp = environ;
	s.part = p;
	s.debug = getenv("LWKEXEC_DEBUG") ? atoi(getenv("LWKEXEC_DEBUG")) : 0;
	s.reserved_fds[s.nreserved++] = p->tr.fd;
	stderr_keep(&s, p->tr.fd + 1);
	watch_revoked_start(p);
	watch_hang_start();
	if (!realpath(prog->path, s.exe))
		snprintf(s.exe, sizeof(s.exe), "%s", prog->path);
	snprintf(s.interp, sizeof(s.interp), "%s", prog->interp_path);
	s.argv = prog->argv;

	signals_block(&blocked);
	if (svc_init(&s))
		return 1;
	r = launch_claim(&l, p);
	if (r)
		return r;
	s.entry = l.entry;
	s.entry_index = l.index;
	signals_forward(l.entry, &p->tr);
	r = launch_start(&l, &a, &s);
	if (!r)
		r = svc_run(&s) ? 125 : 0;
	svc_stop();
	if (r < 0) {
		launch_finish(&l);
		die_by_signal(-r);
	}
	if (!r) {
		int status = __atomic_load_n(&l.entry->exit_status, __ATOMIC_ACQUIRE);

		launch_finish(&l);
		exit_like(status);
	}
	launch_finish(&l);
	return r;
}

int main(int argc, char **argv)
{
	static struct partition part;
	static struct program prog;
	struct exec_opts o;
	int r;

	if (parse_options(argc, argv, &o))
		return 2;
	r = program_find(o.argv[0], prog.path, sizeof(prog.path));
	if (r)
		return r;
	prog.name = o.argv[0];
	prog.argv = o.argv;
	r = program_load(&prog);
	if (r)
		return r;
	if (partition_open(o.partition, &part) || partition_ready(&part))
		return 1;
	return run(&part, &prog, &o);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * lwkctl boot and shutdown of a partition beside Linux, through lwk.ko,
 * following the boot protocol of uapi/lwk/lwkdev.h: RESERVE the cores and
 * memory, read back what was taken (INFO), load the kernel, its boot page
 * tables and its boot description there (pload.c), START the boot core
 * through the trampoline page, and wait for the LWK to say READY in the
 * channel. Anything that fails after RESERVE is followed by SHUTDOWN, so
 * that Linux gets every core and byte back.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>
#include <uapi/lwk/channel.h>
#include <uapi/lwk/lwkdev.h>
#include "lwkctl.h"
#include "partition.h"
#include "pload.h"

#define MiB ((uint64_t)1 << 20)
#define KERNEL_MAX_BYTES (256 * MiB)
#define START_TIMEOUT_MS 10000 /* the module caps it anyway */
#define SHUTDOWN_GRACE_MS 5000 /* for an LWK that never became ready */
#define TAIL_LINES 12

static volatile sig_atomic_t pboot_interrupted;

static void pboot_on_signal(int sig)
{
	pboot_interrupted = sig;
}

static void pboot_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = pboot_on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The whole kernel image, read into memory. */
static uint8_t *kernel_read(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > KERNEL_MAX_BYTES)
		goto out;
	buf = malloc((size_t)st.st_size);
	if (buf && read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	*len = (size_t)st.st_size;
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

static int kernel_load(const struct lwkctl_pboot_opts *o, uint8_t **elf, struct pload_kernel *k)
{
	char path[PATH_MAX] = "", err[256];
	size_t len = 0;

	if (lwkctl_kernel_path(o->kernel, path, sizeof(path)) ||
	    !(*elf = kernel_read(path, &len))) {
		fprintf(stderr,
			"lwkctl: cannot read the kernel image %s; build it with 'make', or name it "
			"with --kernel or LWK_KERNEL\n",
			path);
		return -1;
	}
	if (pload_parse(*elf, len, k, err, sizeof(err))) {
		fprintf(stderr, "lwkctl: %s is not an LWK kernel this lwkctl can boot: %s\n", path,
			err);
		free(*elf);
		return -1;
	}
	return 0;
}

/* /dev/lwk, open and ours to boot with. */
static int dev_open_admin(struct transport *t, const char *what)
{
	char err[512];

	if (transport_dev_open(t, err, sizeof(err))) {
		fprintf(stderr, "lwkctl: %s\n", err);
		return -1;
	}
	if (!(t->dev_flags & LWK_DEV_F_ADMIN)) {
		fprintf(stderr,
			"lwkctl: only root (or lwk.ko's admin group) can %s a partition beside "
			"Linux; a VM partition ('lwkctl boot --vm') needs no privilege\n",
			what);
		transport_close(t);
		return -1;
	}
	return 0;
}

static void msg_print(const char *what, const char *msg, int e)
{
	if (msg[0])
		fprintf(stderr, "lwkctl: %.*s\n", LWK_DEV_MSG_LEN, msg);
	else
		fprintf(stderr, "lwkctl: %s failed: %s\n", what, strerror(e));
}

static int reserve(struct transport *t, const struct lwkctl_pboot_opts *o,
		   const struct pload_kernel *k)
{
	struct lwk_ioc_reserve r = { .mem = o->mem, .low_min = pload_low_min(k, o->mem) };

	memcpy(r.cpu_mask, o->cpu_mask, sizeof(r.cpu_mask));
	snprintf(r.name, sizeof(r.name), "%s", o->name);
	if (strlen(o->name) >= sizeof(r.name)) {
		fprintf(stderr,
			"lwkctl: --name %s: beside Linux a name has at most %zu characters\n",
			o->name, sizeof(r.name) - 1);
		return -1;
	}
	if (ioctl(t->fd, LWK_IOC_RESERVE, &r)) {
		msg_print("reserving the cores and memory", r.msg, errno);
		return -1;
	}
	return 0;
}

/* Give everything back; quietly unless it fails. */
static void release(struct transport *t, unsigned int grace_ms)
{
	struct lwk_ioc_shutdown s = { .timeout_ms = grace_ms };

	if (ioctl(t->fd, LWK_IOC_SHUTDOWN, &s))
		fprintf(stderr,
			"lwkctl: giving the cores and memory back failed too: %.*s (%s); try "
			"'lwkctl shutdown'\n",
			LWK_DEV_MSG_LEN, s.msg[0] ? s.msg : "-", strerror(errno));
}

struct window {
	uint8_t *va;
	uint64_t pa, len;
};

static void *window_phys(void *ctx, uint64_t pa, uint64_t len)
{
	struct window *w = ctx;

	if (pa < w->pa || pa - w->pa > w->len || len > w->len - (pa - w->pa))
		return NULL;
	return w->va + (pa - w->pa);
}

/* CLOCK_REALTIME at TSC 0, as well as two reads close together tell. */
static uint64_t wallclock_offset(uint32_t tsc_khz)
{
	struct timespec ts;
	uint64_t tsc;

	clock_gettime(CLOCK_REALTIME, &ts);
	tsc = __rdtsc();
	return pload_wallclock_offset((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec,
				      tsc, tsc_khz);
}

/* Write the kernel, its tables, its boot description into the low range,
 * and the trampoline page into @start. */
static int load(struct transport *t, const struct pload_kernel *k, const struct lwk_ioc_info *info,
		const char *kargs, struct pload_layout *l, struct lwk_ioc_start *start)
{
	struct pload_opts po = { .bootargs = kargs };
	struct window w;
	struct pload_mem m = { window_phys, &w };
	char err[256];
	int r;

	if (pload_place(k, info, l, err, sizeof(err))) {
		fprintf(stderr, "lwkctl: %s\n", err);
		return -1;
	}
	w.pa = l->base;
	w.len = l->end - l->base;
	w.va = transport_map(t, w.pa, w.len, PROT_READ | PROT_WRITE, NULL);
	if (!w.va) {
		fprintf(stderr, "lwkctl: cannot map the partition's memory at 0x%" PRIx64 ": %s\n",
			w.pa, strerror(errno));
		return -1;
	}
	po.wallclock_offset_ns = wallclock_offset(info->tsc_khz);
	r = pload_load(k, info, &po, &m, l, start->page, err, sizeof(err));
	if (r)
		fprintf(stderr, "lwkctl: %s\n", err);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	transport_unmap(t, w.va, w.len);
	start->chan_base = l->chan_base;
	start->chan_size = l->chan_size;
	return r ? -1 : 0;
}

static int start(struct transport *t, struct lwk_ioc_start *s)
{
	s->timeout_ms = START_TIMEOUT_MS;
	if (ioctl(t->fd, LWK_IOC_START, s)) {
		msg_print("starting the boot core", s->msg, errno);
		return -1;
	}
	return 0;
}

static int wait_ready(struct partition *p, unsigned long timeout)
{
	uint64_t deadline = lwkctl_now_ms() + timeout * 1000;
	int r;

	for (;;) {
		r = lwkctl_ready_poll(p);
		if (r)
			return r > 0 ? 0 : -1;
		if (pboot_interrupted) {
			fprintf(stderr, "lwkctl: %s: interrupted (%s) while booting\n", p->name,
				strsignal(pboot_interrupted));
			return -1;
		}
		if (lwkctl_now_ms() > deadline) {
			fprintf(stderr, "lwkctl: %s was not ready within %lu s (%s)\n", p->name,
				timeout,
				__atomic_load_n(&p->hdr->magic, __ATOMIC_ACQUIRE) == LWK_CHAN_MAGIC
				    ? "the LWK set up its channel but never became ready"
				    : "the LWK never set up its channel: did the boot core reach "
				      "partition_entry?");
			return -1;
		}
		lwkctl_sleep_ms(LWKCTL_POLL_MS);
	}
}

/* The partition as status and lwkexec see it, its channel mapped. */
static int channel_map(struct transport *t, const struct lwk_ioc_info *info,
		       const struct pload_layout *l, struct partition *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", info->name);
	snprintf(p->kind, sizeof(p->kind), "partition");
	p->mem_size = info->mem;
	p->cpus = info->ncpus;
	p->chan_base = l->chan_base;
	p->chan_size = l->chan_size;
	p->tr = *t;
	p->hdr = transport_map(t, l->chan_base, l->chan_size, PROT_READ, NULL);
	if (!p->hdr) {
		fprintf(stderr, "lwkctl: cannot map the channel at 0x%" PRIx64 ": %s\n",
			l->chan_base, strerror(errno));
		return -1;
	}
	return 0;
}

static void boot_failed(struct partition *p)
{
	if (p->hdr && __atomic_load_n(&p->hdr->magic, __ATOMIC_ACQUIRE) == LWK_CHAN_MAGIC) {
		fprintf(stderr, "lwkctl: %s: the kernel log's last lines:\n", p->name);
		lwkctl_print_log_tail(p, TAIL_LINES, stderr);
	}
}

/* After RESERVE: load, start, wait. */
static int boot_reserved(struct transport *t, const struct lwkctl_pboot_opts *o,
			 const struct pload_kernel *k)
{
	static struct lwk_ioc_start s; /* 4 KiB and more: not on the stack */
	struct lwk_ioc_info info;
	struct pload_layout l;
	struct partition p = { .hdr = NULL };
	char err[512];

	if (transport_dev_info(t, &info, err, sizeof(err))) {
		fprintf(stderr, "lwkctl: %s\n", err);
		return -1;
	}
	if (load(t, k, &info, o->kargs, &l, &s) || start(t, &s) || channel_map(t, &info, &l, &p) ||
	    wait_ready(&p, o->timeout)) {
		boot_failed(&p);
		if (p.hdr)
			transport_unmap(t, p.hdr, p.chan_size);
		return -1;
	}
	lwkctl_boot_report(&p);
	transport_unmap(t, p.hdr, p.chan_size);
	return 0;
}

/* Linux on x86 sends an IPI meant for every online core as one broadcast
 * (the APIC's "all but self" shorthand) once every present core has been
 * booted, and the cores it gave the LWK were: so its TLB shootdowns and
 * function calls reach the LWK's cores too, as kernel entries there (seen
 * as vector 0xfc, Linux's CALL_FUNCTION_VECTOR, in 'lwkctl trace').
 * no_ipi_broadcast=1 on Linux's command line makes it address each core. */
static void ipi_broadcast_note(void)
{
	char line[4096];
	FILE *f = fopen("/proc/cmdline", "r");
	int off = 0;

	if (!f)
		return;
	if (fgets(line, sizeof(line), f))
		for (char *t = strtok(line, " \n"); t; t = strtok(NULL, " \n"))
			if (!strcmp(t, "no_ipi_broadcast=1"))
				off = 1;
	fclose(f);
	if (!off)
		fprintf(stderr, "lwkctl: note: Linux broadcasts some IPIs to every core, the LWK's "
				"included (noise on them); boot Linux with no_ipi_broadcast=1\n");
}

int lwkctl_pboot(const struct lwkctl_pboot_opts *o)
{
	struct pload_kernel k;
	struct transport t;
	uint8_t *elf = NULL;
	int r;

	if (access(LWK_DEV_PATH, F_OK)) {
		fprintf(stderr, "lwkctl: no " LWK_DEV_PATH ": load the module first (make "
				"install-module; modprobe lwk trampoline=0x90000), or boot a VM "
				"partition with --vm\n");
		return 1;
	}
	if (dev_open_admin(&t, "boot"))
		return 1;
	if (kernel_load(o, &elf, &k)) {
		transport_close(&t);
		return 1;
	}
	ipi_broadcast_note();
	pboot_catch_signals();
	r = reserve(&t, o, &k);
	if (!r && boot_reserved(&t, o, &k)) {
		fprintf(stderr, "lwkctl: %s: giving its cores and memory back to Linux\n", o->name);
		release(&t, SHUTDOWN_GRACE_MS);
		r = -1;
	}
	transport_close(&t);
	free(elf);
	return r ? 1 : 0;
}

int lwkctl_pshutdown(struct partition *p, unsigned long timeout, int force)
{
	struct lwk_ioc_shutdown s = { .timeout_ms = force ? 0 : (uint32_t)(timeout * 1000) };
	char err[512], list[2048];
	struct transport t;
	unsigned int n = 0;

	if (dev_open_admin(&t, "shut down"))
		return 1;
	p->readonly = 1;
	if (!partition_attach(p, err, sizeof(err))) {
		n = lwkctl_victims(p, list, sizeof(list));
		partition_detach(p);
	}
	if (ioctl(t.fd, LWK_IOC_SHUTDOWN, &s)) {
		msg_print("shutting the partition down", s.msg, errno);
		transport_close(&t);
		return 1;
	}
	transport_close(&t);
	if (n)
		printf("%s: killed %u process%s: %s\n", p->name, n, n > 1 ? "es" : "", list);
	if (s.msg[0])
		printf("%s: %.*s\n", p->name, LWK_DEV_MSG_LEN, s.msg);
	printf("%s: down%s\n", p->name,
	       s.flags & LWK_DEV_SHUT_CLEAN ? "" : " (its cores were stopped without its word)");
	return 0;
}

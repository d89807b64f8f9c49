// SPDX-License-Identifier: GPL-2.0-only
/*
 * The partition watchdog: is the partition still there to serve (not
 * panicked, not shut down, its QEMU running, its service core answering),
 * and is the process entry still this lwkexec's? The launch asks while it
 * waits for a reply, the dispatcher every WATCH_EVERY_NS while it serves;
 * a "no" is said once on stderr, in words that tell the user what
 * happened.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <uapi/lwk/lwkdev.h>
#include "partition.h"
#include "service.h"

#define SILENCE_NS 1000000000ull /* a heartbeat this still: ring the service core */
#define HANG_S 30		 /* LWKEXEC_HANG_S: then wait this long for it */
#define HANG_S_MAX 86400

static int qemu_pidfd = -1; /* QEMU's pidfd, among lwkexec's own fds */

void watch_qemu_start(struct svc *s)
{
	int fd, high;

	if (!s->nreserved || s->nreserved >= SVC_MAX_RESERVED_FDS)
		return;
	fd = (int)syscall(SYS_pidfd_open, s->part->qemu_pid, 0);
	if (fd < 0)
		return; /* Linux before 5.3: partition_alive() then */
	high = fcntl(fd, F_DUPFD_CLOEXEC, s->reserved_fds[0] + 1);
	close(fd);
	if (high < 0)
		return;
	if (!partition_alive(s->part)) { /* the pid was QEMU's when we took it? */
		close(high);
		return;
	}
	qemu_pidfd = high;
	s->reserved_fds[s->nreserved++] = high;
}

static char revoked_msg[160];
static int revoked_fd = 2;

static void on_revoked(int sig)
{
	ssize_t n = write(revoked_fd, revoked_msg, strlen(revoked_msg));

	(void)n;
	_exit(125);
}

void watch_revoked_start(const struct partition *p)
{
	struct sigaction sa = { .sa_handler = on_revoked };

	if (strcmp(p->kind, "partition"))
		return;
	snprintf(revoked_msg, sizeof(revoked_msg),
		 "lwkexec: partition %s was shut down: its memory went back to Linux\n", p->name);
	revoked_fd = fileno(stderr);
	sigaction(SIGBUS, &sa, NULL);
}

int watch_qemu_alive(const struct partition *p)
{
	struct pollfd pfd = { .fd = qemu_pidfd, .events = POLLIN };

	if (qemu_pidfd < 0)
		return partition_alive(p);
	/* A pidfd turns readable when its process has exited. */
	return poll(&pfd, 1, 0) == 0;
}

/* Has the LWK panicked or been shut down? 0, or 1 after saying which. */
static int watch_state_bad(const struct partition *p, const char *exe)
{
	const struct lwk_chan_header *h = p->hdr;
	uint32_t state = __atomic_load_n(&h->state, __ATOMIC_ACQUIRE);

	if (state == LWK_STATE_PANICKED) {
		fprintf(stderr, "lwkexec: the LWK panicked: %.*s\n", LWK_CHAN_PANIC_LEN, h->panic);
		return 1;
	}
	if (state == LWK_STATE_DOWN && exe) { /* (its processes were killed first) */
		fprintf(stderr, "lwkexec: partition %s was shut down while %s ran\n", p->name, exe);
		return 1;
	}
	if (state == LWK_STATE_DOWN) {
		fprintf(stderr, "lwkexec: partition %s was shut down\n", p->name);
		return 1;
	}
	return 0;
}

/* --- a service core that stopped answering ---
 * It bumps the channel header's heartbeat each time it looks at the
 * channel. Beside Linux an idle one halts with no timer, so a still
 * heartbeat means nothing until it has been rung: after SILENCE_NS of
 * stillness the watchdog rings it (again every SILENCE_NS; in a VM, where
 * it polls every 2 ms at most, ringing does nothing), and only a heartbeat
 * still unmoved hang_s after the first ring is a verdict. Timed from that
 * ring, not from the last look: lwkexec itself may have been stopped. */
static struct {
	uint64_t beat;	   /* the heartbeat last seen */
	uint64_t moved_ns; /* when it was seen to move (0: never looked) */
	uint64_t rung_ns;  /* the last ring of this silence */
	uint64_t first_ns; /* its first ring (0: none yet) */
	int said;	   /* the verdict was given */
} hb;
static unsigned long hang_s = HANG_S;

static uint64_t watch_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void watch_hang_start(void)
{
	const char *v = getenv("LWKEXEC_HANG_S");
	unsigned long n;
	char *end;

	if (!v)
		return;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (!*v || *end || errno || v[0] == '-' || !n || n > HANG_S_MAX) {
		fprintf(stderr,
			"lwkexec: LWKEXEC_HANG_S=%s is not a number of seconds from 1 to %d; "
			"waiting %d s for a silent LWK as by default\n",
			v, HANG_S_MAX, HANG_S);
		return;
	}
	hang_s = n;
}

int watch_hung_said(void)
{
	return hb.said;
}

/* Has the service core stopped answering? 0, or 1 after saying so (once:
 * later calls say nothing). */
static int watch_hung(struct partition *p)
{
	uint64_t beat = __atomic_load_n(&p->hdr->heartbeat, __ATOMIC_ACQUIRE), now = watch_now_ns();

	if (hb.said)
		return 1;
	if (!hb.moved_ns || beat != hb.beat) {
		hb.beat = beat;
		hb.moved_ns = now;
		hb.rung_ns = hb.first_ns = 0;
		return 0;
	}
	if (now - hb.moved_ns < SILENCE_NS)
		return 0;
	if (!hb.first_ns || now - hb.rung_ns >= SILENCE_NS) {
		transport_ring(&p->tr, LWK_RING_SERVICE);
		hb.rung_ns = now;
		if (!hb.first_ns)
			hb.first_ns = now;
	}
	if (now - hb.first_ns < hang_s * 1000000000ull)
		return 0;
	hb.said = 1;
	fprintf(stderr,
		"lwkexec: the LWK has not answered for %llu s (its service core is stuck): "
		"'lwkctl dmesg' shows its log, 'lwkctl shutdown' takes its cores and memory "
		"back\n",
		(unsigned long long)((now - hb.moved_ns) / 1000000000ull));
	return 1;
}

/* Has the partition's QEMU exited? 0, or 1 after saying so. */
static int watch_qemu_gone(const struct partition *p)
{
	if (watch_qemu_alive(p))
		return 0;
	if (!strcmp(p->kind, "partition"))
		fprintf(stderr, "lwkexec: partition %s is gone (shut down); see 'lwkctl status'\n",
			p->name);
	else
		fprintf(stderr,
			"lwkexec: partition %s is gone (its QEMU, pid %d, exited); see 'lwkctl "
			"status'\n",
			p->name, p->qemu_pid);
	return 1;
}

int watch_partition_trouble(struct partition *p)
{
	return watch_state_bad(p, NULL) || watch_qemu_gone(p) || watch_hung(p);
}

int watch_serving(const struct svc *s)
{
	char why[200];

	if (watch_state_bad(s->part, s->exe))
		return -1;
	if (watch_entry_lost(s->entry, 1, why, sizeof(why))) {
		fprintf(stderr, "lwkexec: %s\n", why);
		return -1;
	}
	return watch_qemu_gone(s->part) || watch_hung(s->part) ? -1 : 0;
}

const char *watch_entry_lost(const struct lwk_chan_proc *e, int holds, char *buf, size_t len)
{
	uint32_t owner = __atomic_load_n(&e->owner, __ATOMIC_ACQUIRE);
	uint32_t state = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);

	/* The LWK frees the entry first and clears owner after: either
	 * sign alone means it let go. */
	if (!owner || (owner == (uint32_t)getpid() && holds && state == LWK_PROC_FREE)) {
		snprintf(buf, len,
			 "the LWK dropped the process: lwkexec was not heard from for %u ms (its "
			 "lease expired: was lwkexec stopped?)",
			 LWK_CHAN_LEASE_MS);
		return buf;
	}
	if (owner != (uint32_t)getpid()) {
		snprintf(buf, len,
			 "the process entry now belongs to pid %u, not to this lwkexec; leaving it "
			 "alone (see 'lwkctl status')",
			 owner);
		return buf;
	}
	return NULL;
}

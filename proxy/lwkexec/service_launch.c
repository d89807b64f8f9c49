// SPDX-License-Identifier: GPL-2.0-only
/*
 * Launching one process on the LWK through its channel entry (steps 1-4
 * and 7 of the protocol in uapi/lwk/channel.h): claim an entry and keep
 * its lease alive, CREATE (cores, memory, a staging buffer), copy the
 * program, its interpreter, argv and envp into the staging buffer, EXEC,
 * mirror the process's memory at its own addresses, START; and at the end
 * drop the mirror and RELEASE.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <uapi/lwk/channel_msg.h>
#include "partition.h"
#include "service.h"

#define REPLY_TIMEOUT_S 30 /* the service core is slow under TCG */
/* EXEC clears the process's memory first: ~5 s a GiB on one emulated
 * core; give it twice that. */
#define EXEC_S_PER_GIB 10
#define RELEASE_TIMEOUT_S 5

volatile int launch_signal;
uint64_t launch_signals_seen;

static pthread_t lease_thread;
static pthread_mutex_t lease_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lease_cond;
static int lease_stop, lease_running;

static const char *const ctl_names[] = { [LWK_MSG_CREATE] = "CREATE",
					 [LWK_MSG_EXEC] = "EXEC",
					 [LWK_MSG_START] = "START",
					 [LWK_MSG_RELEASE] = "RELEASE" };

static struct lwk_chan_proc *entry_at(const struct partition *p, unsigned int i)
{
	uint64_t off = p->hdr->procs_off + (uint64_t)i * sizeof(struct lwk_chan_proc);

	if (!partition_chan(p, off) || !partition_chan(p, off + sizeof(struct lwk_chan_proc) - 1))
		return NULL;
	return partition_chan(p, off);
}

/* --- the lease: proof that lwkexec is alive --- */

static void *lease_main(void *arg)
{
	struct lwk_chan_proc *e = arg;
	struct timespec until;

	pthread_mutex_lock(&lease_lock);
	while (!lease_stop) {
		/* Once the LWK has given the entry to another lwkexec (ours
		 * lapsed while we were stopped), our beats would keep that
		 * one's lease alive after its death: stop. */
		if (__atomic_load_n(&e->owner, __ATOMIC_ACQUIRE) != (uint32_t)getpid())
			break;
		__atomic_add_fetch(&e->lease, 1, __ATOMIC_RELEASE);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += LWK_CHAN_LEASE_BEAT_MS * 1000000l;
		if (until.tv_nsec >= 1000000000l) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000l;
		}
		pthread_cond_timedwait(&lease_cond, &lease_lock, &until);
	}
	pthread_mutex_unlock(&lease_lock);
	return NULL;
}

/* Beats on the monotonic clock: a change of wall-clock time must not
 * stall them. */
static int lease_start(struct lwk_chan_proc *e)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&lease_cond, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&lease_thread, NULL, lease_main, e))
		return -1;
	lease_running = 1;
	return 0;
}

static void lease_end(void)
{
	if (!lease_running)
		return;
	pthread_mutex_lock(&lease_lock);
	lease_stop = 1;
	pthread_cond_signal(&lease_cond);
	pthread_mutex_unlock(&lease_lock);
	pthread_join(lease_thread, NULL);
	lease_running = 0;
}

/* An entry whose owner died without freeing it, once the LWK let go. */
static int owner_dead(uint32_t owner)
{
	return owner && kill((pid_t)owner, 0) && errno == ESRCH;
}

/* Partition mode: lwk.ko picks the entry and writes our pid as its owner. */
static int claim_dev(struct launch *l, struct partition *p)
{
	char err[300];

	if (partition_claim(p, &l->index, err, sizeof(err))) {
		fprintf(stderr, "lwkexec: %s\n", err);
		return 1;
	}
	l->entry = entry_at(p, l->index);
	l->dev_claimed = 1;
	if (!l->entry) {
		fprintf(stderr, "lwkexec: %s: process entry %u is not mapped\n", p->name, l->index);
		partition_unclaim(p, l->index);
		return 1;
	}
	__atomic_store_n(&l->entry->signals, 0, __ATOMIC_RELAXED);
	if (lease_start(l->entry)) {
		fprintf(stderr, "lwkexec: cannot start the lease thread\n");
		partition_unclaim(p, l->index);
		return 1;
	}
	return 0;
}

int launch_claim(struct launch *l, struct partition *p)
{
	uint32_t me = (uint32_t)getpid(), n = p->hdr->nprocs;

	memset(l, 0, sizeof(*l));
	l->part = p;
	if (!strcmp(p->kind, "partition"))
		return claim_dev(l, p);
	for (unsigned int i = 0; i < n && i < LWK_CHAN_MAX_PROCS; i++) {
		struct lwk_chan_proc *e = entry_at(p, i);
		uint32_t owner;

		if (!e || __atomic_load_n(&e->state, __ATOMIC_ACQUIRE) != LWK_PROC_FREE)
			continue;
		owner = __atomic_load_n(&e->owner, __ATOMIC_ACQUIRE);
		if (owner && !owner_dead(owner))
			continue;
		if (!__atomic_compare_exchange_n(&e->owner, &owner, me, 0, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			continue;
		l->entry = e;
		l->index = i;
		e->signals = 0;
		if (lease_start(e)) {
			fprintf(stderr, "lwkexec: cannot start the lease thread\n");
			__atomic_store_n(&e->owner, 0, __ATOMIC_RELEASE);
			return 1;
		}
		return 0;
	}
	fprintf(stderr,
		"lwkexec: partition %s runs %u processes already, its most; wait for one to "
		"end (see 'lwkctl status')\n",
		p->name, n);
	return 1;
}

/* --- fault injection for the tests ---
 * LWKEXEC_FAULT=STAGE:SIG makes lwkexec send itself SIGKILL or SIGSTOP at
 * one step of the launch (create: CREATE answered; staging: the program
 * written into the staging buffer; exec: EXEC answered; start: START
 * answered), so that tests/vm/stress.sh can leave the LWK with a proxy
 * that vanished, or froze, at each step. */
static void fault_point(const char *stage)
{
	const char *f = getenv("LWKEXEC_FAULT"), *colon;
	size_t n = strlen(stage);

	if (!f || strncmp(f, stage, n) || f[n] != ':')
		return;
	colon = f + n;
	if (!strcmp(colon, ":KILL"))
		raise(SIGKILL);
	else if (!strcmp(colon, ":STOP"))
		raise(SIGSTOP);
	else
		fprintf(stderr, "lwkexec: LWKEXEC_FAULT=%s: want STAGE:KILL or STAGE:STOP\n", f);
}

/* --- control commands --- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Is the entry still ours? If not, say why once (@quiet: not even that)
 * and never touch it again. */
static int entry_ours(struct launch *l, int quiet)
{
	char why[200];

	if (l->lost)
		return 0;
	if (!watch_entry_lost(l->entry, l->created, why, sizeof(why)))
		return 1;
	l->lost = 1;
	if (!quiet)
		fprintf(stderr, "lwkexec: %s\n", why);
	return 0;
}

int launch_owned(struct launch *l)
{
	return entry_ours(l, 0);
}

/* The answer to command @seq, copied into l->reply: 0, 1 while there is
 * none, or -1 after saying it is malformed. The kernel's half:
 * ctl_reply_post (kernel/channel/service_ctl.c). */
static int ctl_reply_read(struct launch *l, uint32_t seq, uint16_t type)
{
	int why =
	    lwk_msg_read_answer(&l->reply, &l->entry->reply, LWK_MSG_REPLY, sizeof(l->reply), seq);

	if (why == LWK_MSG_ERR_STALE || why == LWK_MSG_ERR_TORN)
		return 1;
	l->reply.msg[LWK_CHAN_MSG_LEN - 1] = '\0';
	if (why) {
		fprintf(stderr, "lwkexec: the LWK's answer to %s is malformed\n", ctl_names[type]);
		return -1;
	}
	return 0;
}

/* Wait for the answer to @type. Meanwhile the partition may fail, or the
 * LWK may drop the entry (a lease that lapsed while lwkexec was stopped):
 * then no answer will ever come, and waiting out @secs would only hide
 * why. */
static int reply_wait(struct launch *l, uint32_t seq, uint16_t type, unsigned int secs,
		      int interruptible)
{
	uint64_t start = now_ms(), last_check = start;
	struct timespec nap = { 0, 200000 };

	for (;;) {
		uint64_t now;
		int r = ctl_reply_read(l, seq, type);

		if (r <= 0)
			return r ? 1 : 0;
		if (interruptible && launch_signal)
			return -launch_signal;
		now = now_ms();
		if (now - last_check >= 100) {
			last_check = now;
			if (watch_partition_trouble(l->part))
				return 1;
			/* RELEASE frees the entry before it answers. */
			if (type != LWK_MSG_RELEASE && !entry_ours(l, 0))
				return 1;
		}
		if (now - start >= secs * 1000ull) {
			fprintf(stderr,
				"lwkexec: the LWK did not answer %s within %u s; check 'lwkctl "
				"status'\n",
				ctl_names[type], secs);
			return 1;
		}
		nanosleep(&nap, NULL);
	}
}

/* Send @cmd (its body filled in) as @type: a seq after both the last
 * command and the last reply. The kernel's half: ctl_command_read
 * (kernel/channel/service_ctl.c). */
static uint32_t ctl_command_post(struct launch *l, struct lwk_chan_ctl *cmd, uint16_t type)
{
	struct lwk_chan_proc *e = l->entry;
	uint32_t seq = lwk_msg_seq(&e->ctl.hdr), last = lwk_msg_seq(&e->reply.hdr);

	seq = lwk_msg_seq_next(seq > last ? seq : last, 0);
	lwk_msg_post(&e->ctl, cmd, type, sizeof(*cmd), seq);
	/* Beside Linux an idle service core halts with no timer. */
	transport_ring(&l->part->tr, LWK_RING_SERVICE);
	return seq;
}

/* Send @cmd (its body filled in) as @type and wait for the answer. */
static int ctl_call(struct launch *l, struct lwk_chan_ctl *cmd, uint16_t type, unsigned int secs,
		    int interruptible)
{
	if (!launch_owned(l))
		return 1;
	return reply_wait(l, ctl_command_post(l, cmd, type), type, secs, interruptible);
}

/* A refused command: the LWK's line, and the shell's status for it. */
static int ctl_refused(const struct launch *l, uint16_t type)
{
	int err = -l->reply.status;

	if (l->reply.msg[0])
		fprintf(stderr, "lwkexec: %s\n", l->reply.msg);
	else
		fprintf(stderr, "lwkexec: the LWK refused %s: %s\n", ctl_names[type],
			strerror(err));
	/* As the shell: a program not found is 127, any other failure to
	 * run it (E2BIG, EFBIG, ENOEXEC, EACCES, ENOMEM ...) 126. */
	if (type == LWK_MSG_EXEC)
		return err == ENOENT ? 127 : 126;
	return 1;
}

/* --- loading --- */

static uint64_t strings_size(char *const *list)
{
	uint64_t n = 0;

	for (; list && *list; list++)
		n += strlen(*list) + 1;
	return n;
}

static void strings_put(char *p, char *const *list)
{
	for (; list && *list; list++)
		p = stpcpy(p, *list) + 1;
}

static int do_create(struct launch *l, const struct launch_args *a, const struct svc_staging *st)
{
	struct lwk_chan_ctl cmd = { 0 };
	int r;

	memcpy(cmd.core_mask, a->core_mask, sizeof(cmd.core_mask));
	cmd.ncores = a->ncores;
	cmd.mem = a->mem;
	cmd.staging_size = st->size;
	r = ctl_call(l, &cmd, LWK_MSG_CREATE, REPLY_TIMEOUT_S, 1);
	if (r)
		return r;
	if (l->reply.status)
		return ctl_refused(l, LWK_MSG_CREATE);
	l->created = 1;
	fault_point("create");
	if (l->reply.staging_size < st->size || (l->reply.staging_pa & 4095)) {
		fprintf(stderr,
			"lwkexec: the LWK gave a staging buffer of %" PRIu64 " bytes at 0x%" PRIx64
			"; %" PRIu64 " page-aligned bytes were asked for\n",
			(uint64_t)l->reply.staging_size, (uint64_t)l->reply.staging_pa, st->size);
		return 1;
	}
	return 0;
}

static void staging_fill(void *buf, const struct launch_args *a, const struct svc_staging *st)
{
	char *b = buf;

	memcpy(b + st->image_off, a->image, a->image_size);
	if (a->interp_size)
		memcpy(b + st->interp_off, a->interp, a->interp_size);
	strings_put(b + st->argv_off, a->argv);
	strings_put(b + st->envp_off, a->envp);
}

/* EXEC, then take the memory map out of the staging buffer. */
static int do_exec(struct launch *l, const struct launch_args *a, const struct svc_staging *st,
		   const void *staging)
{
	struct lwk_chan_ctl cmd = { 0 };
	int r;

	cmd.image_off = st->image_off;
	cmd.image_size = a->image_size;
	cmd.interp_off = st->interp_off;
	cmd.interp_size = a->interp_size;
	cmd.argv_off = st->argv_off;
	cmd.argv_size = strings_size(a->argv);
	cmd.envp_off = st->envp_off;
	cmd.envp_size = strings_size(a->envp);
	cmd.maps_off = st->maps_off;
	r = ctl_call(l, &cmd, LWK_MSG_EXEC,
		     REPLY_TIMEOUT_S + (unsigned int)(l->reply.mem >> 30) * EXEC_S_PER_GIB, 1);
	if (r)
		return r;
	if (l->reply.status)
		return ctl_refused(l, LWK_MSG_EXEC);
	if (!l->reply.nmaps || l->reply.nmaps > SVC_MAX_MAPS) {
		fprintf(stderr, "lwkexec: the LWK sent %u memory map entries (at most %d fit)\n",
			l->reply.nmaps, SVC_MAX_MAPS);
		return 1;
	}
	fault_point("exec");
	l->nmaps = l->reply.nmaps;
	l->maps = malloc(l->nmaps * sizeof(*l->maps));
	if (!l->maps)
		return 1;
	memcpy(l->maps, (const char *)staging + st->maps_off, l->nmaps * sizeof(*l->maps));
	return 0;
}

static int load(struct launch *l, const struct launch_args *a, struct svc *s)
{
	struct svc_staging st;
	void *buf;
	int r;

	svc_staging_layout(&st, a->image_size, a->interp_size, strings_size(a->argv),
			   strings_size(a->envp));
	r = do_create(l, a, &st);
	if (r)
		return r;
	buf =
	    transport_map(&l->part->tr, l->reply.staging_pa, st.size, PROT_READ | PROT_WRITE, NULL);
	if (!buf) {
		fprintf(stderr, "lwkexec: cannot map the staging buffer at 0x%" PRIx64 ": %s\n",
			(uint64_t)l->reply.staging_pa, strerror(errno));
		return 1;
	}
	s->mem = l->reply.mem;
	s->ncores = 0;
	for (unsigned int i = 0; i < LWK_CHAN_MAX_CPUS / 64; i++)
		s->ncores += (unsigned int)__builtin_popcountll(l->reply.core_mask[i]);
	/* Not into a buffer the LWK took back (if lwkexec was stopped
	 * since CREATE): it may be another process's memory by now. */
	if (!launch_owned(l)) {
		transport_unmap(&l->part->tr, buf, st.size);
		return 1;
	}
	staging_fill(buf, a, &st);
	fault_point("staging");
	r = do_exec(l, a, &st, buf);
	transport_unmap(&l->part->tr, buf, st.size);
	if (!r)
		s->pid = l->reply.pid;
	return r;
}

/* --- the mirror: the process's memory at its own addresses --- */

/* The line of /proc/self/maps that overlaps [va, end), for the message. */
static void collision_describe(uint64_t va, uint64_t end, char *out, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	snprintf(out, len, "another mapping of lwkexec");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;

		if (sscanf(line, "%llx-%llx", &lo, &hi) == 2 && lo < end && hi > va) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, len, "lwkexec's mapping %.200s", line);
			break;
		}
	}
	if (f)
		fclose(f);
}

static int mirror(struct launch *l, struct svc *s)
{
	char err[256];

	if (svc_maps_build(&s->maps, l->maps, l->nmaps, err, sizeof(err))) {
		fprintf(stderr, "lwkexec: %s\n", err);
		return 1;
	}
	for (; l->nmirrored < l->nmaps; l->nmirrored++) {
		const struct lwk_chan_map *m = &l->maps[l->nmirrored];
		void *at = (void *)(uintptr_t)m->va;

		if (transport_map(&l->part->tr, m->pa, m->size, PROT_READ | PROT_WRITE, at))
			continue;
		if (errno == EEXIST) {
			collision_describe(m->va, m->va + m->size, err, sizeof(err));
			fprintf(stderr,
				"lwkexec: cannot mirror the process's memory 0x%" PRIx64
				"-0x%" PRIx64 ": it collides with %s\n",
				(uint64_t)m->va, (uint64_t)(m->va + m->size), err);
		} else {
			fprintf(stderr,
				"lwkexec: cannot mirror the process's memory 0x%" PRIx64
				"-0x%" PRIx64 " (physical 0x%" PRIx64 "): %s\n",
				(uint64_t)m->va, (uint64_t)(m->va + m->size), (uint64_t)m->pa,
				strerror(errno));
		}
		return 1;
	}
	return 0;
}

/* A signal that came after the last look at launch_signal, before START,
 * went to an entry that was not running yet: post it again now that the
 * process runs (the LWK takes signal bits from running processes). */
static void launch_signals_repost(struct launch *l)
{
	uint64_t bits = __atomic_exchange_n(&launch_signals_seen, 0, __ATOMIC_ACQ_REL);

	if (bits && launch_owned(l)) {
		lwk_chan_signals_post(l->entry, bits);
		transport_ring(&l->part->tr, LWK_RING_SERVICE);
	}
}

int launch_start(struct launch *l, const struct launch_args *a, struct svc *s)
{
	struct lwk_chan_ctl cmd = { 0 };
	int r = load(l, a, s);

	if (!r)
		r = mirror(l, s);
	if (!r && launch_signal)
		r = -launch_signal;
	if (r)
		return r;
	r = ctl_call(l, &cmd, LWK_MSG_START, REPLY_TIMEOUT_S, 0);
	if (!r && l->reply.status)
		r = ctl_refused(l, LWK_MSG_START);
	if (!r) {
		fault_point("start");
		launch_signals_repost(l);
	}
	return r;
}

/* Put private anonymous memory where the mirror was, rather than a hole:
 * a service thread still finishing an abandoned call may write to it,
 * and must hit neither the LWK's memory (about to be reused) nor a
 * fault. */
static void unmirror(struct launch *l)
{
	for (unsigned int i = 0; i < l->nmirrored; i++) {
		const struct lwk_chan_map *m = &l->maps[i];

		mmap((void *)(uintptr_t)m->va, m->size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	}
	l->nmirrored = 0;
}

/* Is there still an LWK to answer? (Quietly: the trouble was told.) A
 * service core that stopped answering would only make RELEASE wait. */
static int partition_answers(const struct partition *p)
{
	uint32_t state = __atomic_load_n(&p->hdr->state, __ATOMIC_ACQUIRE);

	return state == LWK_STATE_READY && watch_qemu_alive(p) && !watch_hung_said();
}

void launch_finish(struct launch *l)
{
	struct lwk_chan_ctl cmd = { 0 };
	uint32_t me = (uint32_t)getpid();

	if (!l->entry)
		return;
	unmirror(l);
	if (l->dev_claimed) { /* the module ends the entry: no RELEASE */
		lease_end();
		partition_unclaim(l->part, l->index);
		l->created = 0;
		l->entry = NULL;
		free(l->maps);
		l->maps = NULL;
		return;
	}
	if (l->created && partition_answers(l->part) &&
	    !ctl_call(l, &cmd, LWK_MSG_RELEASE, RELEASE_TIMEOUT_S, 0) && l->reply.status)
		ctl_refused(l, LWK_MSG_RELEASE);
	l->created = 0;
	lease_end();
	if (entry_ours(l, 1)) {
		__atomic_store_n(&l->entry->signals, 0, __ATOMIC_RELAXED);
		/* Only ours to free: another lwkexec may have it by now. */
		__atomic_compare_exchange_n(&l->entry->owner, &me, 0, 0, __ATOMIC_ACQ_REL,
					    __ATOMIC_RELAXED);
	}
	l->entry = NULL;
	free(l->maps);
	l->maps = NULL;
}

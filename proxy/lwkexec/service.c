// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dispatcher and the service threads (the protocol is in
 * uapi/lwk/channel.h). The dispatcher takes the process's posted[] bits,
 * answers quick calls itself and hands the others to the service thread of
 * the slot (one per LWK thread slot, made on first use), so that a call
 * that blocks on Linux never holds up the others. It spins a little after
 * activity, then sleeps with a growing back-off.
 *
 * Interrupting a call: the LWK sets req.intr_seq to the call's seq and
 * posts the slot again. The dispatcher then sends SVC_SIGINTR to the
 * service thread, whose handler does nothing and has no SA_RESTART, so
 * the blocked Linux syscall returns EINTR. The signal is unblocked only
 * while the call's sys_ handler runs, and sent only while it is running
 * (both under the slot's lock); a signal that lands just before the
 * syscall starts is lost, so it is sent again until the call ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "partition.h"
#include "service.h"

#define SPIN_NS 50000ull	    /* keep polling this long after activity */
#define NAP_MIN_NS 20000ull	    /* then sleep 20 us ... */
#define NAP_MAX_NS 1000000ull	    /* ... growing to 1 ms */
#define KICK_EVERY_NS 200000ull	    /* resend an interrupt this often */
#define WATCH_EVERY_NS 100000000ull /* look at the partition's health */
#define STOP_WAIT_NS 1000000000ull  /* for calls to end after the process */
#define POSTED_WORDS (LWK_CHAN_MAX_SLOTS / 64)

struct slot_state {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int started;
	struct svc_call call; /* the queued call, if queued_seq */
	uint32_t queued_seq;  /* waiting for the service thread; 0: none */
	uint32_t busy_seq;    /* running in the service thread; 0: none */
	uint32_t done_seq;    /* the last call answered */
	uint32_t current_seq; /* the call the slot carries: only it is answered */
	uint32_t intr_seq;    /* interrupt busy_seq (or queued_seq once it runs) */
	int queued_regular;   /* queued_seq is regular-file I/O: not EINTR unrun */
	uint64_t kicked_ns;
};

static struct svc *the_svc;
static struct slot_state *slot_states;
static unsigned int nslots;
static uint64_t intr_pending[POSTED_WORDS]; /* slots to kick; dispatcher's own */
static unsigned int bad_logged;		    /* enum svc_bad kinds already logged */
static uint8_t nosys_logged[512 / 8];
static int svc_ended;	    /* the process is gone: answer nothing more */
static int qemu_pidfd = -1; /* QEMU's pidfd, among lwkexec's own fds */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct lwk_chan_slot *chan_slot(unsigned int idx)
{
	const struct lwk_chan_header *h = the_svc->part->hdr;

	return partition_chan(the_svc->part,
			      h->slots_off + (uint64_t)idx * sizeof(struct lwk_chan_slot));
}

static void slot_complete(struct lwk_chan_slot *slot, uint32_t seq, int64_t ret)
{
	struct lwk_chan_cmpl *c = &slot->cmpl;

	c->ret = ret;
	c->hdr.magic = LWK_MSG_MAGIC;
	c->hdr.abi_version = LWK_ABI_VERSION;
	c->hdr.type = LWK_MSG_RESULT;
	c->hdr.size = sizeof(*c);
	__atomic_store_n(&c->hdr.seq, seq, __ATOMIC_RELEASE);
}

/* Answer call @seq of slot @idx (under its lock), unless it was abandoned:
 * the slot carries another call by now, or the process is gone (the LWK
 * may reuse the slot, and after RELEASE nothing may touch the channel). */
static void slot_answer(struct slot_state *st, unsigned int idx, uint32_t seq, int64_t ret)
{
	struct lwk_chan_slot *slot = chan_slot(idx);

	if (st->current_seq != seq || __atomic_load_n(&svc_ended, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&slot->req.hdr.seq, __ATOMIC_ACQUIRE) != seq)
		return;
	st->done_seq = seq;
	slot_complete(slot, seq, ret);
}

static void trace_call(const struct svc_call *c, const char *name, int64_t ret)
{
	if (the_svc->debug < 2)
		return;
	fprintf(stderr, "lwkexec: [%u] %s(0x%llx, 0x%llx, 0x%llx, 0x%llx) = %lld\n", c->tid, name,
		(unsigned long long)c->a[0], (unsigned long long)c->a[1],
		(unsigned long long)c->a[2], (unsigned long long)c->a[3], (long long)ret);
}

static int64_t call_run(struct svc_call *c)
{
	const char *name;
	svc_handler fn = svc_table_lookup(c->nr, &name);
	int64_t ret;

	if (!fn) {
		uint8_t bit = (uint8_t)(1u << (c->nr % 8));

		if (the_svc->debug && c->nr < 512 &&
		    !(__atomic_fetch_or(&nosys_logged[c->nr / 8], bit, __ATOMIC_RELAXED) & bit))
			fprintf(stderr, "lwkexec: %s (%u) is not served: -ENOSYS\n", name, c->nr);
		trace_call(c, name, -ENOSYS);
		return -ENOSYS;
	}
	ret = fn(c);
	trace_call(c, name, ret);
	return ret;
}

static void on_intr(int sig)
{
	(void)sig; /* only to make the blocked syscall return EINTR */
}

static void *service_thread(void *arg)
{
	unsigned int idx = (unsigned int)(uintptr_t)arg;
	struct slot_state *st = &slot_states[idx];
	sigset_t intr;

	sigemptyset(&intr);
	sigaddset(&intr, SVC_SIGINTR);
	pthread_mutex_lock(&st->lock);
	for (;;) {
		struct svc_call call;
		uint32_t seq;
		int64_t ret;

		while (!st->queued_seq)
			pthread_cond_wait(&st->wake, &st->lock);
		call = st->call;
		seq = st->queued_seq;
		st->queued_seq = 0;
		st->busy_seq = seq;
		pthread_mutex_unlock(&st->lock);

		pthread_sigmask(SIG_UNBLOCK, &intr, NULL);
		ret = call_run(&call);
		pthread_sigmask(SIG_BLOCK, &intr, NULL);
		if (call.done) /* after a partial svc_io_nowait */
			ret = ret >= 0 ? ret + call.done : call.done;

		pthread_mutex_lock(&st->lock);
		st->busy_seq = 0;
		st->intr_seq = 0;
		slot_answer(st, idx, seq, ret);
		pthread_cond_broadcast(&st->wake); /* for svc_stop */
	}
	return NULL;
}

static int slot_start_thread(unsigned int idx)
{
	struct slot_state *st = &slot_states[idx];
	sigset_t all, old;
	pthread_attr_t attr;
	int r;

	/* The thread starts with every signal blocked: lwkexec's own signals
	 * are the main thread's, and SVC_SIGINTR is let in only during a call. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 << 10);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&st->thread, &attr, service_thread, (void *)(uintptr_t)idx);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		fprintf(stderr, "lwkexec: cannot start a service thread: %s\n", strerror(r));
		return -1;
	}
	st->started = 1;
	return 0;
}

static void log_bad(enum svc_bad why, unsigned int idx)
{
	if (bad_logged & (1u << why))
		return;
	bad_logged |= 1u << why;
	fprintf(stderr, "lwkexec: a forwarded call in slot %u has %s; %s\n", idx, svc_bad_name(why),
		why == SVC_BAD_PID ? "not ours: left alone" : "refused with EINVAL");
}

/* An interrupt for a call not yet running, or one being served. */
static void slot_interrupt(struct slot_state *st, unsigned int idx, uint32_t seq)
{
	if (st->queued_seq == seq && !st->queued_regular) {
		st->queued_seq = 0;
		slot_answer(st, idx, seq, st->call.done ? st->call.done : -EINTR);
	} else if ((st->busy_seq == seq || st->queued_seq == seq) && st->intr_seq != seq) {
		/* (a queued regular-file call is kicked once it runs) */
		st->intr_seq = seq;
		st->kicked_ns = 0;
		intr_pending[idx / 64] |= 1ull << (idx % 64);
	}
}

/* A new call in slot @idx: refuse it, run it here, or queue it. */
static void slot_new_call(struct slot_state *st, unsigned int idx, const struct lwk_chan_req *req)
{
	uint32_t seq = req->hdr.seq;
	enum svc_bad why = svc_req_check(req, the_svc->pid);
	struct svc_call call = { the_svc, req->nr, req->tid, { 0 }, 0 };
	int how;

	memcpy(call.a, req->args, sizeof(call.a));
	if (why != SVC_OK)
		log_bad(why, idx);
	st->done_seq = seq;
	st->current_seq = seq; /* a call still running here is abandoned */
	/* Another process's request (a stale slot) is not ours to answer. */
	if (why == SVC_BAD_PID)
		return;
	if (why != SVC_OK || req->intr_seq == seq) {
		slot_complete(chan_slot(idx), seq, why != SVC_OK ? -EINVAL : -EINTR);
		return;
	}
	how = svc_table_inline(&call);
	if (!st->busy_seq) {
		int64_t ret = how == SVC_INLINE_NOWAIT ? svc_io_nowait(&call)
			      : how == 1	       ? call_run(&call)
						       : SVC_NOT_NOW;

		if (ret != SVC_NOT_NOW) {
			if (how == SVC_INLINE_NOWAIT)
				trace_call(&call, "inline I/O", ret);
			slot_complete(chan_slot(idx), seq, ret);
			return;
		}
	}
	/* A call still running here was abandoned by the LWK (its thread
	 * was killed and the slot reused): interrupt it, queue the new one. */
	if (st->busy_seq)
		slot_interrupt(st, idx, st->busy_seq);
	if (!st->started && slot_start_thread(idx)) {
		slot_complete(chan_slot(idx), seq, -EAGAIN);
		return;
	}
	st->call = call;
	st->queued_seq = seq;
	st->queued_regular = how == SVC_INLINE_NOWAIT || how == SVC_REGULAR_IO;
	pthread_cond_signal(&st->wake);
}

static void slot_posted(unsigned int idx)
{
	struct lwk_chan_slot *slot;
	struct slot_state *st;
	struct lwk_chan_req req;
	uint32_t seq;

	if (idx >= nslots) {
		static int said;

		if (!said)
			fprintf(stderr, "lwkexec: the LWK posted slot %u, the channel has %u\n",
				idx, nslots);
		said = 1;
		return;
	}
	slot = chan_slot(idx);
	st = &slot_states[idx];
	seq = __atomic_load_n(&slot->req.hdr.seq, __ATOMIC_ACQUIRE);
	memcpy(&req, (const void *)&slot->req, sizeof(req));
	req.hdr.seq = seq;
	if (!seq)
		return;
	pthread_mutex_lock(&st->lock);
	if (seq == st->busy_seq || seq == st->queued_seq) {
		if (req.intr_seq == seq)
			slot_interrupt(st, idx, seq);
	} else if (seq != st->done_seq) {
		slot_new_call(st, idx, &req);
	}
	pthread_mutex_unlock(&st->lock);
}

/* Send the interrupt signal again to every call still running. */
static int kick_interrupts(uint64_t now)
{
	int pending = 0;

	for (unsigned int w = 0; w < POSTED_WORDS; w++) {
		for (uint64_t bits = intr_pending[w]; bits; bits &= bits - 1) {
			unsigned int idx = w * 64 + (unsigned int)__builtin_ctzll(bits);
			struct slot_state *st = &slot_states[idx];

			pthread_mutex_lock(&st->lock);
			if (st->queued_seq && st->intr_seq == st->queued_seq) {
				pending = 1; /* not running yet */
			} else if (st->busy_seq && st->intr_seq == st->busy_seq) {
				if (now - st->kicked_ns >= KICK_EVERY_NS) {
					pthread_kill(st->thread, SVC_SIGINTR);
					st->kicked_ns = now;
				}
				pending = 1;
			} else {
				intr_pending[w] &= ~(1ull << (idx % 64));
			}
			pthread_mutex_unlock(&st->lock);
		}
	}
	return pending;
}

static int take_posted(struct lwk_chan_proc *e)
{
	int any = 0;

	for (unsigned int w = 0; w < POSTED_WORDS; w++) {
		uint64_t bits;

		if (!__atomic_load_n(&e->posted[w], __ATOMIC_RELAXED))
			continue;
		bits = __atomic_exchange_n(&e->posted[w], 0, __ATOMIC_ACQ_REL);
		for (; bits; bits &= bits - 1)
			slot_posted(w * 64 + (unsigned int)__builtin_ctzll(bits));
		any = 1;
	}
	return any;
}

/* Is the partition still there to serve? 0, or -1 after saying why not. */
static int watch_partition(const struct svc *s)
{
	const struct lwk_chan_header *h = s->part->hdr;
	uint32_t state = __atomic_load_n(&h->state, __ATOMIC_ACQUIRE);
	char why[200];

	if (state == LWK_STATE_PANICKED) {
		fprintf(stderr, "lwkexec: the LWK panicked: %.*s\n", LWK_CHAN_PANIC_LEN, h->panic);
		return -1;
	}
	if (state == LWK_STATE_DOWN) { /* (its processes were killed first) */
		fprintf(stderr, "lwkexec: partition %s was shut down while %s ran\n", s->part->name,
			s->exe);
		return -1;
	}
	if (launch_entry_lost(s->entry, 1, why, sizeof(why))) {
		fprintf(stderr, "lwkexec: %s\n", why);
		return -1;
	}
	if (!svc_qemu_alive(s->part)) {
		fprintf(stderr,
			"lwkexec: partition %s is gone (its QEMU, pid %d, exited); see 'lwkctl "
			"status'\n",
			s->part->name, s->part->qemu_pid);
		return -1;
	}
	return 0;
}

/* Keep a pidfd of QEMU among lwkexec's own descriptors: its liveness is
 * then known without opening anything (the program may have used up the
 * fds) and without mistaking a reused pid for QEMU. */
static void qemu_watch(struct svc *s)
{
	int fd, high;

	if (s->nreserved >= SVC_MAX_RESERVED_FDS)
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

int svc_qemu_alive(const struct partition *p)
{
	struct pollfd pfd = { .fd = qemu_pidfd, .events = POLLIN };

	if (qemu_pidfd < 0)
		return partition_alive(p);
	/* A pidfd turns readable when its process has exited. */
	return poll(&pfd, 1, 0) == 0;
}

int svc_init(struct svc *s)
{
	const struct lwk_chan_header *h = s->part->hdr;
	struct sigaction sa = { .sa_handler = on_intr };

	the_svc = s;
	if (s->nreserved)
		qemu_watch(s);
	nslots = h->nslots < LWK_CHAN_MAX_SLOTS ? h->nslots : LWK_CHAN_MAX_SLOTS;
	if (!partition_chan(s->part, h->slots_off) ||
	    !partition_chan(s->part, h->slots_off + nslots * sizeof(struct lwk_chan_slot) - 1)) {
		fprintf(stderr, "lwkexec: the channel's slot area lies outside the channel\n");
		return -1;
	}
	slot_states = calloc(nslots ? nslots : 1, sizeof(*slot_states));
	if (!slot_states) {
		fprintf(stderr, "lwkexec: out of memory for %u slots\n", nslots);
		return -1;
	}
	for (unsigned int i = 0; i < nslots; i++) {
		pthread_mutex_init(&slot_states[i].lock, NULL);
		pthread_cond_init(&slot_states[i].wake, NULL);
	}
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: the interrupted call must end */
	if (sigaction(SVC_SIGINTR, &sa, NULL)) {
		fprintf(stderr, "lwkexec: cannot handle signal %d: %s\n", SVC_SIGINTR,
			strerror(errno));
		return -1;
	}
	return 0;
}

int svc_run(struct svc *s)
{
	uint64_t nap = NAP_MIN_NS, last_active = now_ns(), last_watch = 0;

	/* Linux's default 50 us of timer slack would stretch every nap. */
	prctl(PR_SET_TIMERSLACK, 1000ul, 0, 0, 0);
	for (;;) {
		uint64_t now;
		int busy = take_posted(s->entry);

		now = now_ns();
		busy |= kick_interrupts(now);
		if (__atomic_load_n(&s->entry->state, __ATOMIC_ACQUIRE) == LWK_PROC_EXITED)
			return 0;
		if (now - last_watch >= WATCH_EVERY_NS) {
			last_watch = now;
			if (watch_partition(s))
				return -1;
		}
		if (busy) {
			last_active = now;
			nap = NAP_MIN_NS;
			continue;
		}
		if (now - last_active < SPIN_NS) {
			__builtin_ia32_pause();
			continue;
		}
		struct timespec ts = { 0, (long)nap };

		nanosleep(&ts, NULL);
		nap = nap * 2 > NAP_MAX_NS ? NAP_MAX_NS : nap * 2;
	}
}

/* Wait until slot @st runs no call, or @deadline (CLOCK_MONOTONIC) passed,
 * interrupting the call again every KICK_EVERY_NS: 0, or -1 at the
 * deadline. */
static int slot_drain(struct slot_state *st, uint64_t deadline)
{
	int r = 0;

	pthread_mutex_lock(&st->lock);
	while (st->busy_seq) {
		uint64_t now = now_ns(), until = now + KICK_EVERY_NS;
		struct timespec ts;

		if (now >= deadline) {
			r = -1;
			break;
		}
		pthread_kill(st->thread, SVC_SIGINTR);
		ts.tv_sec = (time_t)(until / 1000000000ull);
		ts.tv_nsec = (long)(until % 1000000000ull);
		pthread_cond_timedwait(&st->wake, &st->lock, &ts);
	}
	st->queued_seq = 0;
	pthread_mutex_unlock(&st->lock);
	return r;
}

void svc_stop(void)
{
	uint64_t deadline = now_ns() + STOP_WAIT_NS;
	unsigned int stuck = 0;

	__atomic_store_n(&svc_ended, 1, __ATOMIC_RELEASE);
	for (unsigned int i = 0; slot_states && i < nslots; i++)
		stuck += slot_drain(&slot_states[i], deadline) ? 1 : 0;
	if (stuck)
		fprintf(stderr,
			"lwkexec: %u call(s) of the program did not end within 1 s of being "
			"interrupted; going on without them\n",
			stuck);
}

/* --- helpers for the handlers --- */

int64_t svc_sys_result(long r)
{
	return r == -1 ? -(int64_t)errno : r;
}

int64_t svc_pipe_signal(struct svc_call *c, int64_t ret)
{
	if (ret == -EPIPE && !__atomic_load_n(&svc_ended, __ATOMIC_ACQUIRE))
		__atomic_or_fetch(&c->svc->entry->signals, 1ull << (SIGPIPE - 1), __ATOMIC_RELEASE);
	return ret;
}

int svc_fd_check(struct svc_call *c, int i)
{
	return svc_fd_reserved(c->svc, (int)c->a[i]) ? -EBADF : 0;
}

int svc_buf_check(struct svc_call *c, int i, uint64_t len, int write)
{
	return svc_range_ok(&c->svc->maps, c->a[i], len, write) ? 0 : -EFAULT;
}

const char *svc_str_arg(struct svc_call *c, int i, char *buf, size_t len, int64_t *err)
{
	int64_t n = svc_str_check(&c->svc->maps, c->a[i], len);

	if (n < 0) {
		*err = n;
		return NULL;
	}
	/* Work on a copy: the program could move the NUL under our feet. */
	memcpy(buf, (const char *)(uintptr_t)c->a[i], (size_t)n);
	buf[n] = '\0';
	return buf;
}

const char *svc_path_arg(struct svc_call *c, int i, char *buf, size_t len, int64_t *err)
{
	char raw[PATH_MAX];
	const char *path = svc_str_arg(c, i, raw, sizeof(raw), err);

	if (!path)
		return NULL;
	path = ident_path(c->svc, raw, buf, len);
	if (path == raw)
		memcpy(buf, raw, strlen(raw) + 1);
	return buf;
}

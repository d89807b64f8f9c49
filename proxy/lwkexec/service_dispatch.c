// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dispatcher and the service threads: the proxy's half of the
 * forwarded-call conversation (uapi/lwk/channel_msg.h; the LWK's half is
 * kernel/channel/forward.c). The dispatcher takes the process's posted[] bits,
 * answers quick calls itself and hands the others to the service thread of
 * the slot (one per LWK thread slot, made on first use), so that a call
 * that blocks on Linux never holds up the others. It spins a little after
 * activity, then sleeps with a growing back-off (beside Linux, once idle,
 * on lwk.ko's doorbell).
 *
 * LWKEXEC_SPIN_NS (read once, when serving starts) sets how long it keeps
 * polling after activity, in nanoseconds (default 50000, at most 1 s); 0
 * means no polling at all: beside Linux with a doorbell it sleeps on the
 * doorbell at once after every call (the benchmark of the IPI path). A
 * value that is not such a number is named on stderr and the default used.
 *
 * Interrupting a call: the LWK sets req.intr_seq to the call's seq and
 * posts the slot again. The dispatcher then sends SVC_SIGINTR to the
 * service thread, whose handler does nothing and has no SA_RESTART, so
 * the blocked Linux syscall returns EINTR. The signal is unblocked only
 * while the call's sys_ handler runs, and sent only while it is running
 * (both under the slot's lock); a signal that lands just before the
 * syscall starts is lost, so it is sent again until the call ends.
 *
 * Between calls it asks the watchdog (service_watch.c) whether the
 * partition is still there; the handlers (sys_*.c, through the table in
 * service_table.c) run on its threads and know nothing of it.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#include <uapi/lwk/channel_msg.h>
#include "partition.h"
#include "service.h"

#define SPIN_NS 50000ull	    /* keep polling this long after activity */
#define NAP_MIN_NS 20000ull	    /* then sleep 20 us ... */
#define NAP_MAX_NS 1000000ull	    /* ... growing to 1 ms */
#define KICK_EVERY_NS 200000ull	    /* resend an interrupt this often */
#define WATCH_EVERY_NS 100000000ull /* look at the partition's health */
#define STOP_WAIT_NS 1000000000ull  /* for calls to end after the process */
#define DOORBELL_WAIT_MS 10	    /* the longest sleep on lwk.ko's doorbell */

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
static uint64_t intr_pending[LWK_CHAN_POSTED_WORDS]; /* slots to kick; dispatcher's own */
static unsigned int bad_logged;			     /* enum svc_bad kinds already logged */
static uint8_t nosys_logged[512 / 8];
static int ring_cores;	    /* partition mode: ring halted cores (ring_if_halted) */
static uint64_t rings_sent; /* LWK_IOC_RING calls that woke a core */

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
			      h->slots_off + (uint64_t)the_svc->entry_index * LWK_CHAN_SLOTS_BYTES +
				  (uint64_t)idx * sizeof(struct lwk_chan_slot));
}

/* A completion is out: beside Linux, ring the process's cores if one of
 * them halts (its waiting thread may be blocked there; lwk.ko rings only
 * the halted ones, and never a running core). The fence pairs with the
 * one after the LWK's store of cpu_halted (idle_halt, kernel/core/cpus.c):
 * either the core sees the completion before it halts, or we see it
 * halted. A VM's cores look on their own timer. */
static void ring_if_halted(void)
{
	const struct lwk_chan_header *h = the_svc->part->hdr;
	const struct lwk_chan_proc *e = the_svc->entry;

	if (!ring_cores)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int w = 0; w < LWK_CHAN_MAX_CPUS / 64; w++) {
		uint64_t bits = __atomic_load_n(&e->core_mask[w], __ATOMIC_RELAXED);

		for (; bits; bits &= bits - 1) {
			unsigned int cpu = w * 64 + (unsigned int)__builtin_ctzll(bits);

			if (__atomic_load_n(&h->cpu_halted[cpu], __ATOMIC_SEQ_CST)) {
				if (transport_ring(&the_svc->part->tr, LWK_RING_PROC) > 0)
					__atomic_fetch_add(&rings_sent, 1, __ATOMIC_RELAXED);
				return;
			}
		}
	}
}

/* Answer call @seq of slot @idx with @ret. The LWK's half:
 * forward_completion_read (kernel/channel/forward.c). */
static void forward_completion_post(unsigned int idx, uint32_t seq, int64_t ret)
{
	struct lwk_chan_cmpl *c = &chan_slot(idx)->cmpl;

	lwk_msg_begin(&c->hdr, LWK_MSG_RESULT, sizeof(*c));
	c->ret = ret;
	lwk_msg_publish(&c->hdr, seq);
	ring_if_halted();
}

/* Answer call @seq of slot @idx (under its lock), unless it was abandoned:
 * the slot carries another call by now, or the process is gone (the LWK
 * may reuse the slot, and after RELEASE nothing may touch the channel). */
static void slot_answer(struct slot_state *st, unsigned int idx, uint32_t seq, int64_t ret)
{
	struct lwk_chan_slot *slot = chan_slot(idx);

	if (st->current_seq != seq || __atomic_load_n(&the_svc->ended, __ATOMIC_ACQUIRE) ||
	    lwk_msg_seq(&slot->req.hdr) != seq)
		return;
	st->done_seq = seq;
	forward_completion_post(idx, seq, ret);
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
	enum svc_how how;

	memcpy(call.a, req->args, sizeof(call.a));
	if (why != SVC_OK)
		log_bad(why, idx);
	st->done_seq = seq;
	st->current_seq = seq; /* a call still running here is abandoned */
	/* Another process's request (a stale slot) is not ours to answer. */
	if (why == SVC_BAD_PID)
		return;
	if (why != SVC_OK || req->intr_seq == seq) {
		forward_completion_post(idx, seq, why != SVC_OK ? -EINVAL : -EINTR);
		return;
	}
	how = svc_table_inline(&call);
	if (!st->busy_seq) {
		int64_t ret = how == SVC_INLINE_NOWAIT ? svc_io_nowait(&call)
			      : how == SVC_INLINE      ? call_run(&call)
						       : SVC_NOT_NOW;

		if (ret != SVC_NOT_NOW) {
			if (how == SVC_INLINE_NOWAIT)
				trace_call(&call, "inline I/O", ret);
			forward_completion_post(idx, seq, ret);
			return;
		}
	}
	/* A call still running here was abandoned by the LWK (its thread
	 * was killed and the slot reused): interrupt it, queue the new one. */
	if (st->busy_seq)
		slot_interrupt(st, idx, st->busy_seq);
	if (!st->started && slot_start_thread(idx)) {
		forward_completion_post(idx, seq, -EAGAIN);
		return;
	}
	st->call = call;
	st->queued_seq = seq;
	st->queued_regular = how == SVC_INLINE_NOWAIT || how == SVC_REGULAR_IO;
	pthread_cond_signal(&st->wake);
}

/* The request in slot @idx, copied into @req: 0, a refused header
 * (svc_req_check says which), or LWK_MSG_ERR_STALE / _TORN when there is
 * nothing to read (a torn request is posted again: its seq is new). The
 * LWK's half: forward_request_post (kernel/channel/forward.c). */
static int forward_request_read(unsigned int idx, struct lwk_chan_req *req)
{
	return lwk_msg_read_new(req, &chan_slot(idx)->req, LWK_MSG_SYSCALL, sizeof(*req), 0);
}

static void slot_posted(unsigned int idx)
{
	struct slot_state *st;
	struct lwk_chan_req req;
	int why;

	if (idx >= nslots) {
		static int said;

		if (!said)
			fprintf(stderr, "lwkexec: the LWK posted slot %u, the channel has %u\n",
				idx, nslots);
		said = 1;
		return;
	}
	st = &slot_states[idx];
	why = forward_request_read(idx, &req);
	if (why == LWK_MSG_ERR_STALE || why == LWK_MSG_ERR_TORN)
		return;
	pthread_mutex_lock(&st->lock);
	if (req.hdr.seq == st->busy_seq || req.hdr.seq == st->queued_seq) {
		if (req.intr_seq == req.hdr.seq)
			slot_interrupt(st, idx, req.hdr.seq);
	} else if (req.hdr.seq != st->done_seq) {
		slot_new_call(st, idx, &req);
	}
	pthread_mutex_unlock(&st->lock);
}

/* Send the interrupt signal again to every call still running. */
static int kick_interrupts(uint64_t now)
{
	int pending = 0;

	for (unsigned int w = 0; w < LWK_CHAN_POSTED_WORDS; w++) {
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
	uint64_t taken[LWK_CHAN_POSTED_WORDS];

	if (!lwk_chan_posted_take(e, taken))
		return 0;
	for (unsigned int w = 0; w < LWK_CHAN_POSTED_WORDS; w++)
		for (uint64_t bits = taken[w]; bits; bits &= bits - 1)
			slot_posted(w * 64 + (unsigned int)__builtin_ctzll(bits));
	return 1;
}

int svc_init(struct svc *s)
{
	const struct lwk_chan_header *h = s->part->hdr;
	struct sigaction sa = { .sa_handler = on_intr };

	the_svc = s;
	ring_cores = !strcmp(s->part->kind, "partition");
	watch_qemu_start(s);
	nslots = h->nslots < LWK_CHAN_MAX_SLOTS ? h->nslots : LWK_CHAN_MAX_SLOTS;
	if (h->slots_off + (uint64_t)h->nprocs * LWK_CHAN_SLOTS_BYTES > s->part->chan_size) {
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

static int doorbell_off;	   /* the module would not poll: nap instead */
static uint64_t spin_ns = SPIN_NS; /* LWKEXEC_SPIN_NS, see the top */

static void spin_ns_from_env(void)
{
	const char *v = getenv("LWKEXEC_SPIN_NS");
	unsigned long long n;
	char *end;

	if (!v)
		return;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (!*v || *end || errno || v[0] == '-' || n > 1000000000ull) {
		fprintf(stderr,
			"lwkexec: LWKEXEC_SPIN_NS=%s is not a number of nanoseconds from 0 to "
			"1000000000; polling %llu ns after activity as by default\n",
			v, SPIN_NS);
		return;
	}
	spin_ns = n;
}

static int posted_any(struct lwk_chan_proc *e)
{
	for (unsigned int w = 0; w < LWK_CHAN_POSTED_WORDS; w++)
		if (__atomic_load_n(&e->posted[w], __ATOMIC_SEQ_CST))
			return 1;
	return __atomic_load_n(&e->state, __ATOMIC_SEQ_CST) == LWK_PROC_EXITED;
}

/* Beside Linux with a doorbell, once idle for the longest nap (at once
 * with LWKEXEC_SPIN_NS=0): sleep in poll() on /dev/lwk until the LWK
 * rings, which host_waiting asks it to (it posts, then looks at host_waiting; we set it, then look at posted:
 * one of the two sees the other). Bounded, so that the watchdog still
 * looks; anything but a doorbell from poll() and the plain nap it is. */
static void nap_sleep(struct svc *s, uint64_t nap)
{
	struct lwk_chan_proc *e = s->entry;
	struct pollfd pfd = { .fd = s->part->tr.fd, .events = POLLIN };
	struct timespec ts = { 0, (long)nap };
	uint64_t rings;
	int r;

	if (!s->part->doorbell_vector || doorbell_off || (nap < NAP_MAX_NS && spin_ns)) {
		nanosleep(&ts, NULL);
		return;
	}
	__atomic_store_n(&e->host_waiting, 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!posted_any(e)) {
		r = poll(&pfd, 1, DOORBELL_WAIT_MS);
		if ((r < 0 && errno != EINTR) || (r > 0 && pfd.revents & ~POLLIN))
			doorbell_off = 1; /* POLLHUP: gone, the watchdog will say */
		else if (r > 0 && read(pfd.fd, &rings, sizeof(rings)) != sizeof(rings))
			doorbell_off = 1;
	}
	__atomic_store_n(&e->host_waiting, 0, __ATOMIC_SEQ_CST);
}

int svc_run(struct svc *s)
{
	uint64_t nap = NAP_MIN_NS, last_active = now_ns(), last_watch = 0;

	/* Linux's default 50 us of timer slack would stretch every nap. */
	prctl(PR_SET_TIMERSLACK, 1000ul, 0, 0, 0);
	spin_ns_from_env();
	for (;;) {
		uint64_t now;
		int busy = take_posted(s->entry);

		now = now_ns();
		busy |= kick_interrupts(now);
		if (__atomic_load_n(&s->entry->state, __ATOMIC_ACQUIRE) == LWK_PROC_EXITED)
			return 0;
		if (now - last_watch >= WATCH_EVERY_NS) {
			last_watch = now;
			if (watch_serving(s))
				return -1;
		}
		if (busy) {
			last_active = now;
			nap = NAP_MIN_NS;
			continue;
		}
		if (now - last_active < spin_ns) {
			__builtin_ia32_pause();
			continue;
		}
		nap_sleep(s, nap);
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

	if (!the_svc)
		return;
	__atomic_store_n(&the_svc->ended, 1, __ATOMIC_RELEASE);
	for (unsigned int i = 0; slot_states && i < nslots; i++)
		stuck += slot_drain(&slot_states[i], deadline) ? 1 : 0;
	if (stuck)
		fprintf(stderr,
			"lwkexec: %u call(s) of the program did not end within 1 s of being "
			"interrupted; going on without them\n",
			stuck);
	if (the_svc->debug && ring_cores)
		fprintf(stderr, "lwkexec: %llu answer(s) rang a halted LWK core\n",
			(unsigned long long)__atomic_load_n(&rings_sent, __ATOMIC_RELAXED));
}

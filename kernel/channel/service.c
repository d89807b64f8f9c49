// SPDX-License-Identifier: GPL-2.0-only
/*
 * The service core (lwk/service.h): the poll loop and its back-off, and the
 * life of each process entry outside the control commands (service_ctl.c):
 * the end of its process, its signals, its proxy's lease, shutdown.
 *
 * Everything here runs on the service core alone, except
 * service_proc_ended(), which a compute core calls when a process's last
 * thread is gone: it only leaves a flag for the service core to act on.
 */
#include <string.h>
#include <lwk/arch.h>
#include <lwk/channel.h>
#include <lwk/cpus.h>
#include <lwk/ktest_fault.h>
#include <lwk/log.h>
#include <lwk/pmem.h>
#include <lwk/sched.h>
#include <uapi/lwk/channel_msg.h>
#include "service_internal.h"

#define SVC_KILL_AGAIN_MS 2000	 /* an ending process still there: kill again */
#define SERVICE_POLL_US 1000	 /* keep polling this long after activity */
#define SERVICE_HALT_MIN_US 50	 /* then halt this long, doubling ... */
#define SERVICE_HALT_MAX_US 2000 /* ... up to this */
#define SERVICE_SHUTDOWN_MS 2000 /* how long killed processes get to end */

struct svc_entry svc_entries[LWK_CHAN_MAX_PROCS];
uint8_t svc_core_owner[LWK_BD_MAX_CPUS];
uint64_t svc_promised;
static bool svc_ready;

static uint64_t ms_cycles(uint64_t ms)
{
	return arch_tsc_hz() / 1000 * ms;
}

uint64_t svc_mem_available(void)
{
	uint64_t free = pmem_free_bytes(), keep = SERVICE_HEADROOM + svc_promised;

	return free > keep ? ALIGN_DOWN(free - keep, MiB(2)) : 0;
}

unsigned int svc_index(const struct svc_entry *e)
{
	return (unsigned int)(e - svc_entries);
}

void svc_set_state(struct svc_entry *e, uint32_t state)
{
	e->state = state;
	__atomic_store_n(&e->chan->state, state, __ATOMIC_RELEASE);
	if (state == LWK_PROC_EXITED)
		channel_notify_host(e->chan);
}

bool svc_managed(const struct svc_entry *e)
{
	return __atomic_load_n(&e->chan->mod.claim_seq, __ATOMIC_ACQUIRE) != 0;
}

/* Kept sorted by address; a range that touches or overlaps others
 * swallows them. */
bool svc_extents_add(struct svc_entry *e, uint64_t pa, uint64_t size)
{
	struct lwk_chan_extent *x = e->extent;
	uint64_t end = pa + size;
	unsigned int lo = 0, hi;

	while (lo < e->nextents && x[lo].pa + x[lo].size < pa)
		lo++;
	hi = lo;
	while (hi < e->nextents && x[hi].pa <= end) {
		pa = MIN(pa, x[hi].pa);
		end = MAX(end, x[hi].pa + x[hi].size);
		hi++;
	}
	if (hi == lo && e->nextents == LWK_CHAN_MAX_EXTENTS)
		return false;
	/* [lo, hi) become one: move the tail to lo + 1. */
	memmove(&x[lo + 1], &x[hi], (e->nextents - hi) * sizeof(*x));
	e->nextents = e->nextents - (hi - lo) + 1;
	x[lo] = (struct lwk_chan_extent){ pa, end - pa };
	return true;
}

/* Ranges are only ever added while an entry is held, so lwk.ko, reading
 * the list without a lock, sees either the old or the new count, each
 * with its ranges in place. */
void svc_extents_publish(struct svc_entry *e)
{
	memcpy(e->chan->extent, e->extent, e->nextents * sizeof(e->extent[0]));
	__atomic_store_n(&e->chan->nextents, e->nextents, __ATOMIC_RELEASE);
}

/* Give @e's cores back: free for the next CREATE, 0 in cpu_pid. */
void svc_free_cores(struct svc_entry *e)
{
	struct lwk_chan_header *h = channel_header();

	for (unsigned int i = 0; i < e->ncores; i++) {
		svc_core_owner[e->cores[i]] = 0;
		WRITE_ONCE(h->cpu_pid[e->cores[i]], 0);
	}
	e->ncores = 0;
}

/* Free whatever @e holds (staging buffer, process, memory, cores) and mark
 * it FREE. The proxy clears owner when it has seen that. */
void svc_entry_release(struct svc_entry *e)
{
	struct lwk_chan_proc *c = e->chan;

	if (!svc_exec_cancel(e))
		e->p = NULL; /* a core may still write it: leave it be */
	if (e->staging_shift)
		pmem_free(e->staging, e->staging_shift);
	if (e->p)
		proc_destroy(e->p);
	if (e->mem_promised)
		svc_promised -= e->mem;
	svc_free_cores(e);
	WRITE_ONCE(c->pid, 0);
	WRITE_ONCE(c->nthreads, 0);
	WRITE_ONCE(c->mem, 0);
	WRITE_ONCE(c->exit_status, 0);
	memset(c->core_mask, 0, sizeof(c->core_mask));
	memset(c->name, 0, sizeof(c->name));
	__atomic_store_n(&c->nextents, 0, __ATOMIC_RELEASE);
	memset(c->extent, 0, sizeof(c->extent));
	e->nextents = 0;
	lwk_chan_posted_clear(c);
	e->staging_shift = 0;
	e->p = NULL;
	e->first = NULL;
	e->mem = 0;
	e->mem_promised = false;
	e->orphan = false;
	e->kill_tsc = 0;
	e->kill_logged = false;
	__atomic_store_n(&e->ended, 0, __ATOMIC_RELAXED);
	svc_set_state(e, LWK_PROC_FREE);
}

/* Called on the core that reaped the process's last thread (p->ended). The
 * service core does the rest; wake it if it is halted, so that the proxy
 * learns of the end at once. */
void service_proc_ended(struct proc *p)
{
	struct svc_entry *e = &svc_entries[p->chan - channel_proc(0)];

	e->exit_status = p->exit_status;
	__atomic_store_n(&e->ended, 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&cpus[0].halted, __ATOMIC_SEQ_CST))
		arch_cpu_wake(&cpus[0]);
}

/* Clear the owner of an entry whose proxy is dead: nobody else will. Only
 * if it is still the dead one (a proxy claims with a CAS from 0). */
static void svc_disown(struct svc_entry *e)
{
	uint32_t owner = e->owner;

	__atomic_compare_exchange_n(&e->chan->owner, &owner, 0, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_RELAXED);
	e->owner = 0;
}

/* The process's last thread is gone: its cores are free, its memory stays
 * until RELEASE (the proxy may still have it mapped). */
static bool svc_check_ended(struct svc_entry *e)
{
	if (e->state != LWK_PROC_RUNNING || !__atomic_load_n(&e->ended, __ATOMIC_ACQUIRE))
		return false;
	svc_free_cores(e);
	WRITE_ONCE(e->chan->exit_status, e->exit_status);
	WRITE_ONCE(e->chan->nthreads, 0);
	svc_set_state(e, LWK_PROC_EXITED);
	if (e->orphan) { /* its proxy is gone: nobody will send RELEASE */
		svc_entry_release(e);
		svc_disown(e);
	}
	return true;
}

/* A process that is ending (killed, or exit_group) should be gone in
 * milliseconds. One still there after SVC_KILL_AGAIN_MS has a thread that
 * missed its SIGKILL or its core's wake-up: kill it again, and again,
 * rather than hold its cores for ever; said once in the log. */
static void svc_kill_again(struct svc_entry *e)
{
	uint64_t now = arch_cycles();
	unsigned int left;

	if (e->state != LWK_PROC_RUNNING || !READ_ONCE(e->p->exiting))
		return;
	if (!e->kill_tsc) {
		e->kill_tsc = now;
		return;
	}
	if (now - e->kill_tsc < ms_cycles(SVC_KILL_AGAIN_MS))
		return;
	e->kill_tsc = now;
	left = proc_kill_again(e->p);
	if (left && !e->kill_logged) {
		e->kill_logged = true;
		log_warn("channel: pid %d (%s) still has %u thread(s) %u ms after it began to end: "
			 "killing them again",
			 e->p->pid, e->p->name, left, SVC_KILL_AGAIN_MS);
	}
}

/* The proxy wants signals delivered: bit signo - 1 of signals. Bits
 * stay until the process runs, so a Ctrl-C sent while it is being loaded
 * or started reaches it as soon as it starts. */
static bool svc_signals(struct svc_entry *e)
{
	uint64_t bits;

	if (e->state != LWK_PROC_RUNNING || !(bits = lwk_chan_signals_take(e->chan)))
		return false;
	for (int sig = 1; bits; sig++, bits >>= 1) {
		if (!(bits & 1))
			continue;
		ktest_fault_on_signal(sig); /* the ktest image's fault injection */
		proc_signal(e->p, sig);
	}
	return true;
}

/* The proxy has not bumped its lease for LWK_CHAN_LEASE_MS: it is dead,
 * and what it held comes back. A running process is killed first and
 * reclaimed as soon as it has ended. */
static void svc_lease_expired(struct svc_entry *e)
{
	unsigned int i = svc_index(e);

	switch (e->state) {
	case LWK_PROC_RUNNING:
		log_info("channel: proxy of pid %d (%s) is gone: killing it", e->p->pid,
			 e->p->name);
		e->orphan = true;
		proc_kill(e->p);
		return;
	case LWK_PROC_EXITED:
		log_info("channel: proxy of pid %d (%s) is gone: reclaiming its memory", e->p->pid,
			 e->p->name);
		break;
	case LWK_PROC_CREATED:
	case LWK_PROC_LOADED:
		log_info("channel: proxy of entry %u (Linux pid %u) is gone: freeing its unstarted "
			 "process",
			 i, e->owner);
		break;
	default:
		log_info("channel: proxy of entry %u (Linux pid %u) went silent before using it: "
			 "entry freed",
			 i, e->owner);
	}
	svc_entry_release(e);
	svc_disown(e);
}

/* A proxy proves it is alive by changing lease; a new owner starts a new
 * lease. An entry is watched while it is claimed or holds anything.
 *
 * The clock is read here, at the moment of looking, never taken from the
 * start of the poll: a control command can keep the service core busy for
 * a second or more (EXEC zeroes the process's memory), and a change seen
 * after that must count as seen now. Stamping it with the older time made
 * the very next look find a "silent" second and free the entry of a live
 * proxy, which then went on writing into its freed staging buffer. */
static bool svc_lease(struct svc_entry *e)
{
	uint32_t owner = __atomic_load_n(&e->chan->owner, __ATOMIC_ACQUIRE);
	uint32_t lease = __atomic_load_n(&e->chan->lease, __ATOMIC_ACQUIRE);
	uint64_t now = arch_cycles();

	if (!owner && e->state == LWK_PROC_FREE) {
		e->owner = 0;
		return false;
	}
	if (owner != e->owner || lease != e->lease) {
		e->owner = owner;
		e->lease = lease;
		e->lease_tsc = now;
		return false;
	}
	if (e->orphan || svc_managed(e) || now - e->lease_tsc < ms_cycles(LWK_CHAN_LEASE_MS))
		return false;
	svc_lease_expired(e);
	return true;
}

/* lwk.ko says the proxy of a managed entry is gone (its file closed, its
 * mappings removed): kill the process, free everything as soon as it has
 * ended, then tell the module the entry may be claimed again. */
static bool svc_gone(struct svc_entry *e)
{
	struct lwk_chan_proc *c = e->chan;
	uint32_t gone = __atomic_load_n(&c->mod.gone_seq, __ATOMIC_ACQUIRE);

	if (gone == __atomic_load_n(&c->gone_ack, __ATOMIC_RELAXED))
		return false;
	if (e->state == LWK_PROC_RUNNING) {
		if (!e->orphan) {
			log_info("channel: proxy of pid %d (%s) closed /dev/lwk: killing it",
				 e->p->pid, e->p->name);
			e->orphan = true;
			proc_kill(e->p);
		}
		return true;
	}
	if (e->state != LWK_PROC_FREE)
		log_info("channel: proxy of entry %u closed /dev/lwk: entry freed", svc_index(e));
	svc_entry_release(e);
	e->owner = __atomic_load_n(&c->owner, __ATOMIC_RELAXED);
	svc_disown(e);
	__atomic_store_n(&c->gone_ack, gone, __ATOMIC_RELEASE);
	return true;
}

static void svc_refresh(struct svc_entry *e)
{
	if (e->state != LWK_PROC_RUNNING)
		return;
	WRITE_ONCE(e->chan->nthreads, READ_ONCE(e->p->nthreads));
	/* A sum uvm keeps beside its extents: no lock of the process's. */
	WRITE_ONCE(e->chan->arena_free, uvm_arena_free_bytes(&e->p->uvm));
}

static bool svc_poll_entry(struct svc_entry *e)
{
	bool busy = svc_check_ended(e);

	svc_kill_again(e);

	busy |= svc_gone(e);
	busy |= svc_lease(e);
	if (__atomic_load_n(&e->chan->owner, __ATOMIC_ACQUIRE)) {
		busy |= svc_signals(e);
		busy |= e->clearing ? svc_exec_poll(e) : svc_ctl_poll(e);
	}
	svc_refresh(e);
	return busy;
}

/* lwkctl shutdown: every process is killed (an unstarted one freed), the
 * service waits a bounded time for them to end, and powers off. */
static __noreturn void svc_shutdown(void)
{
	uint64_t end = arch_cycles() + ms_cycles(SERVICE_SHUTDOWN_MS);
	unsigned int killed = 0, running;
	bool all;

	log_info("channel: shutdown requested: stopping every process");
	for (unsigned int i = 0; i < LWK_CHAN_MAX_PROCS; i++) {
		struct svc_entry *e = &svc_entries[i];

		if (e->state == LWK_PROC_RUNNING) {
			proc_kill(e->p);
			killed++;
		} else if (e->state == LWK_PROC_CREATED || e->state == LWK_PROC_LOADED) {
			svc_entry_release(e);
		}
	}
	do {
		running = 0;
		for (unsigned int i = 0; i < LWK_CHAN_MAX_PROCS; i++) {
			svc_check_ended(&svc_entries[i]);
			running += svc_entries[i].state == LWK_PROC_RUNNING;
		}
	} while (running && arch_cycles() < end);
	for (unsigned int i = 0; i < LWK_CHAN_MAX_PROCS && running; i++)
		if (svc_entries[i].state == LWK_PROC_RUNNING)
			log_warn("channel: pid %d (%s) did not end within %u ms of SIGKILL",
				 svc_entries[i].p->pid, svc_entries[i].p->name,
				 SERVICE_SHUTDOWN_MS);
	log_info("lwk: shut down on request (%u processes killed, %llu doorbells rung); "
		 "powering off",
		 killed, (unsigned long long)channel_doorbells());
	/* Every other core halts for good before Linux reads DOWN: then only
	 * this one still runs, and it only halts (beside Linux) or powers
	 * QEMU off. A stopped core may have held the log's lock: nothing is
	 * logged after this but the one warning, and only after DOWN. */
	all = cpus_stop_others();
	__atomic_store_n(&channel_header()->state, LWK_STATE_DOWN, __ATOMIC_RELEASE);
	if (!all)
		log_warn("channel: a core did not stop within 100 ms of its NMI");
	arch_exit(ARCH_EXIT_PASS);
}

static void svc_refresh_header(void)
{
	struct lwk_chan_header *h = channel_header();

	WRITE_ONCE(h->mem_free, svc_mem_available());
	WRITE_ONCE(h->cpus_online, cpus_online());
	__atomic_store_n(&h->heartbeat, h->heartbeat + 1, __ATOMIC_RELEASE);
}

void service_init(void)
{
	struct lwk_chan_header *h = channel_header();

	for (unsigned int i = 0; i < LWK_CHAN_MAX_PROCS; i++)
		svc_entries[i].chan = channel_proc(i);
	WRITE_ONCE(h->mem_total, svc_mem_available());
	svc_refresh_header();
	svc_ready = true;
}

/* A poll that took longer than a beat (a long EXEC) watched no lease
 * meanwhile: whatever silence it saw was the service core's own, so every
 * lease starts its period again. */
static void svc_leases_restamp(void)
{
	uint64_t now = arch_cycles();

	for (unsigned int i = 0; i < LWK_CHAN_MAX_PROCS; i++)
		svc_entries[i].lease_tsc = now;
}

bool service_poll(void)
{
	uint64_t start = arch_cycles();
	bool busy = false;

	if (!svc_ready)
		return false;
	if (__atomic_load_n(&channel_header()->shutdown, __ATOMIC_ACQUIRE) == 1)
		svc_shutdown();
	for (unsigned int i = 0; i < LWK_CHAN_MAX_PROCS; i++)
		busy |= svc_poll_entry(&svc_entries[i]);
	if (arch_cycles() - start > ms_cycles(LWK_CHAN_LEASE_BEAT_MS))
		svc_leases_restamp();
	svc_refresh_header();
	return busy;
}

/* Is something of the service's own on a clock: a process being killed,
 * which svc_kill_again kills once more after SVC_KILL_AGAIN_MS? (Compute
 * cores clearing a process's memory wake the service core when they are
 * done: cpus_call.) */
static bool svc_timed_work(void)
{
	for (unsigned int i = 0; i < LWK_CHAN_MAX_PROCS; i++) {
		const struct svc_entry *e = &svc_entries[i];

		if (e->state == LWK_PROC_RUNNING && READ_ONCE(e->p->exiting))
			return true;
	}
	return false;
}

/* How long to halt when idle. In a VM the host cannot ring the service
 * core, which halts with the one-shot timer for a growing interval, so
 * that an idle partition costs it little and the compute cores nothing.
 * Beside Linux everything it answers rings it: lwk.ko when a proxy's file
 * closes or a shutdown is asked, a proxy after a control command or a
 * signal (LWK_IOC_RING), a compute core when a process ends; so it halts
 * with no timer at all unless it has timed work of its own. 0: no timer. */
static uint64_t svc_halt_us(uint64_t *halt_us)
{
	uint64_t us = *halt_us;

	if (channel_host_rings() && !svc_timed_work())
		return 0;
	*halt_us = MIN(us * 2, SERVICE_HALT_MAX_US);
	return us;
}

/* Anything for service_poll, at a glance: asked after the service core
 * published that it halts, so that whatever a host or a compute core
 * published before it read cpu_halted (and so did not ring) is seen. */
static bool svc_news(void)
{
	if (__atomic_load_n(&channel_header()->shutdown, __ATOMIC_ACQUIRE))
		return true;
	for (unsigned int i = 0; i < LWK_CHAN_MAX_PROCS; i++) {
		const struct svc_entry *e = &svc_entries[i];
		const struct lwk_chan_proc *c = e->chan;
		uint32_t seq;

		if ((e->state == LWK_PROC_RUNNING &&
		     __atomic_load_n(&e->ended, __ATOMIC_ACQUIRE)) ||
		    __atomic_load_n(&c->mod.gone_seq, __ATOMIC_ACQUIRE) !=
			__atomic_load_n(&c->gone_ack, __ATOMIC_RELAXED))
			return true;
		if (!__atomic_load_n(&c->owner, __ATOMIC_ACQUIRE))
			continue;
		if (e->clearing && svc_exec_cleared(e))
			return true;
		seq = __atomic_load_n(&c->ctl.hdr.seq, __ATOMIC_ACQUIRE);
		if (!e->clearing && seq && seq != e->replied_seq)
			return true;
		if (e->state == LWK_PROC_RUNNING && __atomic_load_n(&c->signals, __ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}

/* Poll while there is activity; then halt (svc_halt_us). */
__noreturn void service_run(void)
{
	uint64_t last = arch_cycles(), halt_us = SERVICE_HALT_MIN_US;

	channel_set_ready();
	log_info("service: core 0 answers the channel; processes run on cores 1-%u", ncpus - 1);
	for (;;) {
		if (service_poll()) {
			last = arch_cycles();
			halt_us = SERVICE_HALT_MIN_US;
		} else if (arch_cycles() - last < arch_tsc_hz() / 1000000 * SERVICE_POLL_US) {
			arch_pause();
		} else {
			uint64_t us = svc_halt_us(&halt_us);

			cpus_halt_until(us ? time_monotonic_ns() + us * 1000 : 0, svc_news);
		}
	}
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's side of the channel (uapi/lwk/channel.h): its layout at
 * boot, and the header fields that say how the kernel is doing. The area
 * is the boot description's lwk,channel range, reserved memory that the
 * direct map covers; Linux maps the same bytes. Layout, in order:
 *
 *   header (4 KiB) | procs | slots (one block per proc) | log ring |
 *   per-core counters | per-core trace rings
 *
 * The log ring takes what the counters leave, up to CHAN_LOG_MAX; when the
 * area is too small for every core's counters, they stay in kernel memory
 * (counters_off = 0) rather than squeezing the log. The trace rings share
 * what is left after the counters, CHAN_TRACE_MAX records per core at most
 * (a power of two, at least CHAN_TRACE_MIN, else no tracing: trace_off 0).
 */
#include <string.h>
#include <lwk/arch.h>
#include <lwk/bootdesc.h>
#include <lwk/channel.h>
#include <lwk/counters.h>
#include <lwk/cpu.h>
#include <lwk/log.h>
#include <lwk/pmem.h>
#include <lwk/trace.h>
#include <uapi/lwk/log.h>

#define CHAN_PAGE KiB(4)
#define CHAN_LOG_MAX KiB(256)
#define CHAN_LOG_MIN KiB(64)
#define CHAN_PROCS_OFF CHAN_PAGE
#define CHAN_SLOTS_OFF (CHAN_PROCS_OFF + LWK_CHAN_MAX_PROCS * sizeof(struct lwk_chan_proc))
#define CHAN_LOG_OFF ALIGN_UP(CHAN_SLOTS_OFF + LWK_CHAN_MAX_PROCS * LWK_CHAN_SLOTS_BYTES, CHAN_PAGE)
#define CHAN_COUNTERS_SIZE ALIGN_UP(sizeof(struct lwk_cpu_counters), CHAN_PAGE)
#define CHAN_TRACE_MAX 16384u /* records per core: 512 KiB */
#define CHAN_TRACE_MIN 256u
#define CHAN_TRACE_SIZE(n)                                                                        \
	ALIGN_UP(sizeof(struct lwk_trace_ring) + (uint64_t)(n) * sizeof(struct lwk_trace_record), \
		 CHAN_PAGE)

/* The smallest area the boot description reader lets through still holds
 * the fixed part and a useful log. */
_Static_assert(CHAN_LOG_OFF + CHAN_PAGE + CHAN_LOG_MIN <= LWK_BD_CHANNEL_MIN_SIZE,
	       "lwk,channel minimum size too small for the layout");
_Static_assert(LWK_CHAN_MAX_CPUS >= LWK_BD_MAX_CPUS, "channel names every core");

static struct lwk_chan_header *hdr;
/* lwk,notify-ipi: the doorbell to Linux, if any, and how often it rang. */
static bool doorbell;
static uint32_t doorbell_vector, doorbell_hw_id;
static uint64_t doorbells;

struct chan_layout {
	uint64_t log_size;
	uint64_t counters_off; /* 0: counters stay in kernel memory */
	uint64_t trace_off;    /* 0: no trace rings */
	uint32_t trace_size, trace_nrecords;
};

/* Trace rings in [@off, @end) for @n_cpus cores: as many records each as
 * fit, up to CHAN_TRACE_MAX. */
static void channel_plan_trace(struct chan_layout *l, uint64_t off, uint64_t end,
			       unsigned int n_cpus)
{
	uint32_t n = CHAN_TRACE_MAX;

	while (n >= CHAN_TRACE_MIN && off + (uint64_t)n_cpus * CHAN_TRACE_SIZE(n) > end)
		n /= 2;
	if (n < CHAN_TRACE_MIN || off >= end)
		return;
	l->trace_off = off;
	l->trace_size = CHAN_TRACE_SIZE(n);
	l->trace_nrecords = n;
}

static struct chan_layout channel_plan(uint64_t size, unsigned int n_cpus)
{
	uint64_t room = size - CHAN_LOG_OFF;
	uint64_t counters = (uint64_t)n_cpus * CHAN_COUNTERS_SIZE;
	bool with_counters = room >= counters + CHAN_PAGE + CHAN_LOG_MIN;
	/* One page of slack holds the ring's header and the rounding. */
	uint64_t for_log = room - (with_counters ? counters : 0) - CHAN_PAGE;
	struct chan_layout l = { MIN(CHAN_LOG_MAX, ALIGN_DOWN(for_log, CHAN_PAGE)), 0, 0, 0, 0 };

	if (with_counters) {
		l.counters_off =
		    ALIGN_UP(CHAN_LOG_OFF + sizeof(struct lwk_log_ring) + l.log_size, CHAN_PAGE);
		channel_plan_trace(&l, l.counters_off + counters, size, n_cpus);
	}
	return l;
}

static void channel_fill_header(const struct bootdesc *bd, const struct chan_layout *l)
{
	hdr->abi_version = LWK_ABI_VERSION;
	hdr->size = bd->channel.size;
	hdr->state = LWK_STATE_BOOTING;
	hdr->ncpus = bd->n_cpus;
	hdr->cpus_online = 1;
	hdr->service_cpu = 0;
	hdr->wake_vector = ARCH_VECTOR_WAKE;
	hdr->tsc_hz = bd->tsc_hz;
	hdr->mem_total = pmem_free_bytes();
	hdr->mem_free = pmem_free_bytes();
	hdr->procs_off = CHAN_PROCS_OFF;
	hdr->slots_off = CHAN_SLOTS_OFF;
	hdr->log_off = CHAN_LOG_OFF;
	hdr->counters_off = l->counters_off;
	hdr->nprocs = LWK_CHAN_MAX_PROCS;
	hdr->nslots = LWK_CHAN_MAX_SLOTS;
	hdr->log_size = l->log_size;
	hdr->counters_size = l->counters_off ? CHAN_COUNTERS_SIZE : 0;
	hdr->trace_off = l->trace_off;
	hdr->trace_size = l->trace_size;
	hdr->trace_nrecords = l->trace_nrecords;
	for (unsigned int i = 0; i < bd->n_cpus; i++) {
		hdr->cpu_apic_id[i] = bd->cpu_apic_id[i];
		cpus[i].halted_pub = &hdr->cpu_halted[i];
	}
}

bool channel_init(const struct bootdesc *bd)
{
	struct chan_layout l;
	uint8_t *base;

	if (!bd->channel.size)
		return false;
	channel_doorbell_setup(bd->has_notify_ipi, bd->notify_vector, bd->notify_apic_id);
	base = arch_phys_to_virt(pa_make(bd->channel.base));
	l = channel_plan(bd->channel.size, bd->n_cpus);
	/* Whatever Linux or an earlier boot left there means nothing now. */
	memset(base, 0, bd->channel.size);
	hdr = (struct lwk_chan_header *)base;
	channel_fill_header(bd, &l);
	log_use_ring((struct lwk_log_ring *)(base + CHAN_LOG_OFF), l.log_size);
	if (l.counters_off)
		counters_use_area(base + l.counters_off, CHAN_COUNTERS_SIZE);
	if (l.trace_off)
		trace_use_area(base + l.trace_off, l.trace_size, l.trace_nrecords);
	/* Last: a reader that sees the magic sees everything above. */
	__atomic_store_n(&hdr->magic, LWK_CHAN_MAGIC, __ATOMIC_RELEASE);
	log_info("channel: %llu KiB at 0x%llx: %u process entries, %u slots, %llu KiB log, "
		 "counters %s, %u trace records per core",
		 (unsigned long long)(bd->channel.size >> 10), (unsigned long long)bd->channel.base,
		 LWK_CHAN_MAX_PROCS, LWK_CHAN_MAX_SLOTS, (unsigned long long)(l.log_size >> 10),
		 l.counters_off ? "in the channel" : "in kernel memory (the area is too small)",
		 l.trace_nrecords);
	return true;
}

bool channel_present(void)
{
	return hdr != NULL;
}

struct lwk_chan_header *channel_header(void)
{
	return hdr;
}

struct lwk_chan_slot *channel_slot(unsigned int proc, unsigned int index)
{
	if (!hdr || proc >= LWK_CHAN_MAX_PROCS || index >= LWK_CHAN_MAX_SLOTS)
		return NULL;
	return (struct lwk_chan_slot *)((uint8_t *)hdr + CHAN_SLOTS_OFF +
					(uint64_t)proc * LWK_CHAN_SLOTS_BYTES) +
	       index;
}

int channel_proc_index(const struct lwk_chan_proc *cp)
{
	const struct lwk_chan_proc *first = channel_proc(0);

	if (!first || cp < first || cp >= first + LWK_CHAN_MAX_PROCS)
		return -1;
	return (int)(cp - first);
}

struct lwk_chan_proc *channel_proc(unsigned int index)
{
	if (!hdr || index >= LWK_CHAN_MAX_PROCS)
		return NULL;
	return (struct lwk_chan_proc *)((uint8_t *)hdr + CHAN_PROCS_OFF) + index;
}

void channel_set_ready(void)
{
	if (hdr)
		__atomic_store_n(&hdr->state, LWK_STATE_READY, __ATOMIC_RELEASE);
}

/* Called while panicking, with every other core stopped: no lock, no log,
 * only plain stores. */
void channel_set_panicked(const char *line)
{
	size_t n = 0;

	if (!hdr)
		return;
	while (line[n] && n < LWK_CHAN_PANIC_LEN - 1) {
		hdr->panic[n] = line[n];
		n++;
	}
	hdr->panic[n] = '\0';
	__atomic_store_n(&hdr->state, LWK_STATE_PANICKED, __ATOMIC_RELEASE);
}

void channel_doorbell_setup(bool on, uint32_t vector, uint32_t hw_id)
{
	doorbell_vector = vector;
	doorbell_hw_id = hw_id;
	__atomic_store_n(&doorbell, on, __ATOMIC_SEQ_CST);
}

/* The proxy sets host_waiting, then looks at the channel once more before
 * it sleeps; we publish, then look at host_waiting. With a full fence on
 * both sides one of the two sees the other: no sleep misses its news. */
void channel_notify_host(struct lwk_chan_proc *cp)
{
	if (!doorbell || !cp)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&cp->host_waiting, __ATOMIC_SEQ_CST) != 1)
		return;
	if (!arch_notify_host(doorbell_vector, doorbell_hw_id))
		__atomic_fetch_add(&doorbells, 1, __ATOMIC_RELAXED);
}

bool channel_host_rings(void)
{
	return __atomic_load_n(&doorbell, __ATOMIC_RELAXED);
}

uint64_t channel_doorbells(void)
{
	return __atomic_load_n(&doorbells, __ATOMIC_RELAXED);
}

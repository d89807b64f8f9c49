// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel-entry trace rings (uapi/lwk/trace.h). Each core writes only its
 * own ring, and opens a record only with interrupts off (every entry path
 * starts so), so no lock is needed. The ring sits in memory the host may
 * write: the kernel keeps its own head and size and trusts nothing it
 * reads back but a record's seq, which it only compares.
 */
#include <lwk/arch.h>
#include <lwk/cpu.h>
#include <lwk/trace.h>

static uint8_t *area;
static uint32_t area_stride, area_nrecords;
static uint64_t heads[LWK_BD_MAX_CPUS]; /* the kernel's own copy */

void trace_use_area(void *base, uint32_t stride, uint32_t nrecords)
{
	area = base;
	area_stride = stride;
	area_nrecords = nrecords;
}

static struct lwk_trace_ring *ring_of(unsigned int cpu)
{
	return area ? (struct lwk_trace_ring *)(area + (uint64_t)cpu * area_stride) : NULL;
}

void trace_init_cpu(unsigned int cpu)
{
	struct lwk_trace_ring *r = ring_of(cpu);

	if (!r)
		return;
	r->cpu = cpu;
	r->nrecords = area_nrecords;
	r->head = 0;
	heads[cpu] = 0;
	__atomic_store_n(&r->magic, LWK_TRACE_MAGIC, __ATOMIC_RELEASE);
}

uint64_t trace_open(uint32_t kind, uint32_t nr)
{
	unsigned int cpu = this_cpu()->id;
	struct lwk_trace_ring *r = ring_of(cpu);
	uint64_t i = heads[cpu];
	struct lwk_trace_record *rec;

	if (!r)
		return 0;
	rec = &r->rec[i & (area_nrecords - 1)];
	__atomic_store_n(&rec->seq, 0, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	rec->kind = kind;
	rec->nr = nr;
	rec->tsc_start = arch_cycles();
	rec->tsc_end = 0;
	__atomic_store_n(&rec->seq, i + 1, __ATOMIC_RELEASE);
	heads[cpu] = i + 1;
	__atomic_store_n(&r->head, i + 1, __ATOMIC_RELEASE);
	return i + 1;
}

void trace_close(uint64_t seq)
{
	struct lwk_trace_ring *r = ring_of(this_cpu()->id);
	struct lwk_trace_record *rec;
	uint64_t now = arch_cycles();

	if (!r)
		return;
	rec = &r->rec[(seq - 1) & (area_nrecords - 1)];
	/* Interrupts may be on here: one that nests opens the next slot,
	 * never this one (a ring holds far more than one entry). */
	if (__atomic_load_n(&rec->seq, __ATOMIC_RELAXED) == seq)
		__atomic_store_n(&rec->tsc_end, now, __ATOMIC_RELEASE);
}

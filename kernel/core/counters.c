// SPDX-License-Identifier: GPL-2.0-only
/* Per-core kernel-entry counters: allocation, snapshots and the report. */
#include <string.h>
#include <lwk/arch.h>
#include <lwk/counters.h>
#include <lwk/errno.h>
#include <lwk/log.h>
#include <lwk/pmem.h>
#include <lwk/syscall.h>

#define COUNTERS_SHIFT 13 /* one 8 KiB block per core */

_Static_assert(sizeof(struct lwk_cpu_counters) <= (1u << COUNTERS_SHIFT), "counter block size");

/* Blocks in the channel, if it has room for them (lwkctl stats reads
 * them there); else each core's block comes from the allocator. */
static uint8_t *shared_area;
static uint32_t shared_stride;

void counters_use_area(void *base, uint32_t stride)
{
	shared_area = base;
	shared_stride = stride;
}

static struct lwk_cpu_counters *counters_block(const struct cpu *c)
{
	paddr_t pa;

	if (shared_area)
		return (struct lwk_cpu_counters *)(shared_area + (uint64_t)c->id * shared_stride);
	return pmem_alloc(COUNTERS_SHIFT, &pa) ? NULL : arch_phys_to_virt(pa);
}

int counters_init(void)
{
	for_each_cpu (c) {
		struct lwk_cpu_counters *k = counters_block(c);

		if (!k)
			return -ENOMEM;
		memset(k, 0, sizeof(*k));
		k->magic = LWK_COUNTERS_MAGIC;
		k->abi_version = LWK_ABI_VERSION;
		k->cpu = c->id;
		trace_init_cpu(c->id);
		c->counters = k;
	}
	return 0;
}

uint64_t counters_entries(const struct cpu *c)
{
	const struct lwk_cpu_counters *k = c->counters;
	uint64_t n = k->syscall_other;

	for (unsigned int i = 0; i < LWK_COUNTERS_NSYSCALLS; i++)
		n += READ_ONCE(k->syscall[i]);
	for (unsigned int i = 0; i < LWK_COUNTERS_NVECTORS; i++)
		n += READ_ONCE(k->vector[i]);
	return n;
}

void counters_snapshot(const struct cpu *c, struct lwk_cpu_counters *out)
{
	memcpy(out, c->counters, sizeof(*out));
}

struct counter_totals {
	uint64_t syscalls, exceptions, page_faults, interrupts;
};

static void report_cpu(const struct cpu *c, struct counter_totals *t)
{
	const struct lwk_cpu_counters *k = c->counters;

	for (unsigned int i = 0; i < LWK_COUNTERS_NSYSCALLS; i++) {
		if (!k->syscall[i])
			continue;
		log_raw("lwk: stats: cpu%u syscall %u %s: %llu\n", c->id, i, syscall_name(i),
			(unsigned long long)k->syscall[i]);
		t->syscalls += k->syscall[i];
	}
	if (k->syscall_other)
		log_raw("lwk: stats: cpu%u syscall beyond %u: %llu\n", c->id,
			LWK_COUNTERS_NSYSCALLS - 1, (unsigned long long)k->syscall_other);
	t->syscalls += k->syscall_other;
	for (unsigned int v = 0; v < LWK_COUNTERS_NVECTORS; v++) {
		if (!k->vector[v])
			continue;
		log_raw("lwk: stats: cpu%u vector %u %s: %llu\n", c->id, v, arch_vector_name(v),
			(unsigned long long)k->vector[v]);
		if (v < 32)
			t->exceptions += k->vector[v];
		else
			t->interrupts += k->vector[v];
	}
	t->page_faults += k->vector[ARCH_VECTOR_PAGE_FAULT];
}

void counters_report(void)
{
	struct counter_totals t = { 0 };

	for_each_cpu (c)
		if (c->counters)
			report_cpu(c, &t);
	log_raw("lwk: stats: total: %llu syscalls, %llu exceptions (%llu page faults), %llu "
		"interrupts\n",
		(unsigned long long)t.syscalls, (unsigned long long)t.exceptions,
		(unsigned long long)t.page_faults, (unsigned long long)t.interrupts);
}

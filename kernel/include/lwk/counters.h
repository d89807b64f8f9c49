/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-core counts of every kernel entry (uapi/lwk/counters.h): the entry
 * paths bump one word each, so the counting costs an increment and no lock
 * (each core writes only its own block).
 */
#pragma once

#include <lwk/cpu.h>
#include <uapi/lwk/counters.h>

/* Give every core of the boot description its zeroed block. */
int counters_init(void);
/* Before counters_init: take the blocks from @base, core N's at N * @stride
 * (the channel's counters area, which Linux reads). */
void counters_use_area(void *base, uint32_t stride);

static inline void counters_syscall(uint64_t nr)
{
	struct lwk_cpu_counters *k = this_cpu()->counters;

	if (nr < LWK_COUNTERS_NSYSCALLS)
		k->syscall[nr]++;
	else
		k->syscall_other++;
}

/* Interrupts and exceptions may come before counters_init(). */
static inline void counters_vector(uint8_t vec)
{
	struct lwk_cpu_counters *k = this_cpu()->counters;

	if (k)
		k->vector[vec]++;
}

/* Every entry counted on @c so far. */
uint64_t counters_entries(const struct cpu *c);
/* Copy @c's counters (for a before/after comparison). */
void counters_snapshot(const struct cpu *c, struct lwk_cpu_counters *out);
/* Log each core's non-zero counters and the totals, one "lwk: stats: "
 * line each (lwkctl bare --stats collects them). */
void counters_report(void);

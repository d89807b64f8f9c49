/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-core counts of every kernel entry (uapi/lwk/counters.h): the entry
 * paths bump one word each, so the counting costs an increment and no lock
 * (each core writes only its own block). The same block holds the host's
 * word that arms tracing on the core (lwk/trace.h): while it is 0, tracing
 * costs the entry one more load and branch.
 */
#pragma once

#include <lwk/cpu.h>
#include <lwk/trace.h>
#include <uapi/lwk/counters.h>

/* Give every core of the boot description its zeroed block. */
int counters_init(void);
/* Before counters_init: take the blocks from @base, core N's at N * @stride
 * (the channel's counters area, which Linux reads). */
void counters_use_area(void *base, uint32_t stride);

static inline bool counters_traced(const struct lwk_cpu_counters *k)
{
	return __builtin_expect(__atomic_load_n(&k->trace, __ATOMIC_RELAXED) != 0, 0);
}

/* Count a system call on entry. Returns what trace_exit() takes on the way
 * out: the trace record opened if the host traces this core, else 0. */
static inline uint64_t counters_syscall(uint64_t nr)
{
	struct lwk_cpu_counters *k = this_cpu()->counters;

	if (nr < LWK_COUNTERS_NSYSCALLS)
		k->syscall[nr]++;
	else
		k->syscall_other++;
	if (counters_traced(k))
		return trace_open(LWK_TRACE_SYSCALL, nr < UINT32_MAX ? (uint32_t)nr : UINT32_MAX);
	return 0;
}

/* The same for an interrupt or exception; these may come before
 * counters_init(). */
static inline uint64_t counters_vector(uint8_t vec)
{
	struct lwk_cpu_counters *k = this_cpu()->counters;

	if (!k)
		return 0;
	k->vector[vec]++;
	if (counters_traced(k))
		return trace_open(vec < 32 ? LWK_TRACE_EXCEPTION : LWK_TRACE_INTERRUPT, vec);
	return 0;
}

/* Every entry counted on @c so far. */
uint64_t counters_entries(const struct cpu *c);
/* Copy @c's counters (for a before/after comparison). */
void counters_snapshot(const struct cpu *c, struct lwk_cpu_counters *out);
/* Log each core's non-zero counters and the totals, one "lwk: stats: "
 * line each (lwkctl bare --stats collects them). */
void counters_report(void);

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-entry tracing (uapi/lwk/trace.h): when the host arms a core, each
 * entry opens a record in the core's ring and closes it on the way out.
 * The entry paths call these through lwk/counters.h, whose counting already
 * holds the word that says whether the core is traced.
 */
#pragma once

#include <lwk/types.h>
#include <uapi/lwk/trace.h>

/* Before counters_init: the rings are at @base, core N's at N * @stride,
 * @nrecords each (a power of two). */
void trace_use_area(void *base, uint32_t stride, uint32_t nrecords);
/* Make core @cpu's ring empty and named (from counters_init). */
void trace_init_cpu(unsigned int cpu);
/* Open a record on this core: what trace_exit takes, 0 if no ring. */
uint64_t trace_open(uint32_t kind, uint32_t nr);
/* Close record @seq of this core's ring (if it is still there). */
void trace_close(uint64_t seq);

/* The exit half of an entry that counters_syscall/counters_vector opened. */
static inline void trace_exit(uint64_t seq)
{
	if (__builtin_expect(seq != 0, 0))
		trace_close(seq);
}

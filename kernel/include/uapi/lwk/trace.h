/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * Kernel-entry tracing (lwkctl trace): each LWK core has a ring of records
 * in the channel, at trace_off + core * trace_size (uapi/lwk/channel.h),
 * one record per kernel entry while the host has armed the core: its kind,
 * its system call number or vector, and the TSC at entry and at exit.
 *
 * Arming costs no kernel entry. The host sets the core's counter block's
 * trace word (uapi/lwk/counters.h) to 1, and 0 to stop; the kernel looks at
 * that word where it counts the entry anyway. Only one host tracer at a
 * time: it first takes the header's trace_owner (compare-and-swap 0 -> its
 * Linux pid) and gives it back (0) when done. Beside Linux only lwk.ko's
 * admin may map the channel for writing, so only the admin may trace.
 *
 * The ring (written by the LWK only). Record number i (0, 1, ...) of the
 * core since boot lives in rec[i % nrecords] with seq i + 1. At entry the
 * kernel withdraws the slot (seq 0), fills kind, nr, tsc_start and
 * tsc_end = 0, stores seq with release order, then head = i + 1. At exit it
 * stores tsc_end, if the slot still holds record i. A reader loads head
 * (acquire), copies the records it has not seen, each by loading seq,
 * copying, and loading seq again: a record is good if both loads say
 * i + 1. Records it missed (head - nrecords passed them) are lost: the
 * kernel never waits for a reader. tsc_end 0 means still in the kernel,
 * or never to return (exit_group, exit, a fatal signal end the thread
 * there). Entries nest (an interrupt inside a blocked system call).
 */
#pragma once

#include <stdint.h>
#include <uapi/lwk/abi.h>

#define LWK_TRACE_MAGIC 0x4c574b54u /* "LWKT" */

/* lwk_trace_record.kind */
#define LWK_TRACE_SYSCALL 1
#define LWK_TRACE_EXCEPTION 2 /* vectors 0..31 */
#define LWK_TRACE_INTERRUPT 3 /* vectors 32..255 */

struct lwk_trace_record {
	uint64_t seq;  /* record number + 1; 0 while being written */
	uint32_t kind; /* LWK_TRACE_* */
	uint32_t nr;   /* system call number, or vector */
	uint64_t tsc_start;
	uint64_t tsc_end; /* 0: has not returned (see above) */
};
LWK_STATIC_ASSERT(sizeof(struct lwk_trace_record) == 32);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_trace_record, tsc_start) == 16);

struct lwk_trace_ring {
	uint32_t magic;	   /* LWK_TRACE_MAGIC */
	uint32_t cpu;	   /* the core, as the boot description numbers it */
	uint32_t nrecords; /* a power of two */
	uint32_t pad;
	uint64_t head; /* records made on this core since boot */
	uint64_t pad1[5];
	struct lwk_trace_record rec[];
};
LWK_STATIC_ASSERT(sizeof(struct lwk_trace_ring) == 64);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_trace_ring, head) == 16);

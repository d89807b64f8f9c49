/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * Per-core counters of kernel entries: every system call by number, and
 * every exception and interrupt by vector (an exception in kernel mode is
 * counted too, just before the panic it causes). They let a
 * noise study attribute each detour of an LWK core. The kernel keeps one
 * block per core; Linux-side tools read them (lwkctl stats, lwkctl bare
 * --stats). One word of the block is the host's: trace, which arms the
 * core's kernel-entry tracing (uapi/lwk/trace.h), so that the entry paths
 * look at it where they count anyway.
 */
#pragma once

#include <stdint.h>
#include <uapi/lwk/abi.h>

#define LWK_COUNTERS_MAGIC 0x4c574b43u /* "LWKC" */
#define LWK_COUNTERS_NSYSCALLS 512     /* numbers above that land in syscall_other */
#define LWK_COUNTERS_NVECTORS 256      /* 0..31 exceptions, 32..255 interrupts */

struct lwk_cpu_counters {
	uint32_t magic;
	uint32_t abi_version;
	uint32_t cpu;	/* logical index in the boot description */
	uint32_t trace; /* written by the host (lwkctl trace): 1 records this
			 * core's kernel entries in its trace ring, 0 not */
	uint64_t syscall_other;
	uint64_t pad2;
	uint64_t syscall[LWK_COUNTERS_NSYSCALLS];
	uint64_t vector[LWK_COUNTERS_NVECTORS];
};

LWK_STATIC_ASSERT(sizeof(struct lwk_cpu_counters) == 32 + 8 * (512 + 256));
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_cpu_counters, trace) == 12);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_cpu_counters, syscall) == 32);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_cpu_counters, vector) == 32 + 8 * 512);

/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * /dev/lwk: the ioctl ABI between lwk.ko (partition mode, beside Linux on
 * the node) and the Linux-side programs (lwkctl, lwkexec). One partition
 * per node at a time.
 *
 * Every open file must first pass LWK_IOC_VERSION with the caller's
 * LWK_ABI_VERSION; every other call on a file that has not is refused with
 * -EPROTO. A call that fails writes a one-line reason into its struct's
 * msg (NUL-terminated) before returning -1/errno, so the caller can print
 * it as it is.
 *
 * Booting, the protocol lwkctl follows (root, or the module's admin group):
 *   1. LWK_IOC_RESERVE: the module takes the cores (remove_cpu: Linux moves
 *      its tasks and interrupts away) and the memory (alloc_contig_range in
 *      aligned 1 GiB, then 2 MiB chunks, or the boot-time memmap= region
 *      named by a module parameter).
 *   2. LWK_IOC_INFO: what was taken: physical ranges, the cores' APIC IDs
 *      (entry 0 is the boot core), the trampoline page, the TSC rate, the
 *      doorbell vector.
 *   3. mmap() of the ranges (the file offset is the physical address);
 *      lwkctl loads the kernel image at a 2 MiB-aligned base K below 4 GiB,
 *      and behind it the boot page tables and the boot description (FDT),
 *      and lays no channel yet (the LWK clears and lays it out itself).
 *   4. LWK_IOC_START: the module copies the trampoline page lwkctl built
 *      (code + struct lwk_trampoline_params, uapi/arch/trampoline.h) to
 *      the reserved page below 1 MiB and starts the boot core with
 *      INIT-SIPI-SIPI. The boot core arrives in 64-bit mode on lwkctl's
 *      tables at partition_entry(bootdesc physical address); the LWK then
 *      starts its other cores itself through the same page and reports
 *      LWK_STATE_READY in the channel header, which lwkctl waits for.
 * Shutting down: LWK_IOC_SHUTDOWN asks the LWK to stop (the channel
 * header's shutdown word), waits a bounded time, then stops every LWK core
 * with INIT whatever state it is in (panicked, hung), removes every user
 * mapping of partition memory, gives the cores back (add_cpu) and the
 * memory back to Linux.
 *
 * The boot core's page tables (built by lwkctl, the PML4 below 4 GiB
 * because the trampoline loads CR3 in 32-bit mode):
 *   [0, 2 MiB) identity (the trampoline runs there while paging comes on);
 *   KERNEL_VMA + 2 MiB + x -> K + x over the loaded image (the kernel is
 *     linked at physical 2 MiB and runs wherever K is: lwk,kernel says);
 *   DIRECT_MAP + pa -> pa for every lwk,memory range.
 *
 * Running a process (anyone who may open /dev/lwk; uapi/lwk/channel.h,
 * step 8): LWK_IOC_CLAIM gives the file one free process entry of the
 * channel (one per file: a second is refused with -EBUSY); the module
 * records the caller's pid and uid in it. LWK_IOC_UNCLAIM, or closing the
 * file, removes the file's mappings and tells the LWK at once that the
 * entry's proxy is gone: the LWK kills its process and frees the entry.
 *
 * mmap: the offset is a physical address. The admin's file may map any
 * partition memory read-write; any other file may map the channel's
 * header, log ring and counters read-only, and, while it holds an entry
 * (LWK_IOC_CLAIM), that entry's host page read-write and its other two
 * pages read-only, the entry's own slots and the extents its entry lists
 * (its staging buffer and process memory) read-write (MAP_SHARED), and
 * nothing else. A shutdown replaces every mapping with SIGBUS before the
 * memory goes back to Linux.
 *
 * Ringing the LWK (anyone past LWK_IOC_VERSION): LWK_IOC_RING, whose
 * argument is a LWK_RING_* mask, not a pointer, sends the channel header's
 * wake_vector to each named core whose cpu_halted[] is set, and to no
 * other: a running core is never interrupted. LWK_RING_SERVICE names the
 * service core (after a control command, a signal, a shutdown request, or
 * to make it refresh what lwkctl status shows); LWK_RING_PROC the cores
 * of the process in this file's claimed entry (after a forwarded call's
 * completion; -ENOENT without a claim). Returns the number of cores rung;
 * -ENODEV when no LWK is running, -EINVAL for an unknown bit.
 *
 * read() of 8 bytes: the number of LWK doorbells (IPIs from the LWK to
 * Linux) since this file last read; blocks unless O_NONBLOCK. poll():
 * POLLIN when that number is not 0, POLLHUP once the partition this file
 * saw is gone.
 */
#pragma once

#include <stdint.h>
#include <linux/ioctl.h>
#include <uapi/lwk/abi.h>

#define LWK_DEV_PATH "/dev/lwk"
#define LWK_DEV_MAX_CPUS 256
#define LWK_DEV_MAX_RANGES 64
#define LWK_DEV_MSG_LEN 192
#define LWK_DEV_NAME_LEN 32
#define LWK_DEV_PAGE 4096

/* lwk_ioc_version.flags */
#define LWK_DEV_F_ADMIN 1u /* this file may reserve, start and shut down */

/* lwk_ioc_info.state */
#define LWK_DEV_STATE_NONE 0
#define LWK_DEV_STATE_RESERVED 1 /* cores and memory taken, nothing started */
#define LWK_DEV_STATE_STARTED 2	 /* the boot core left the trampoline */

struct lwk_ioc_version {
	uint32_t abi_version; /* in: the caller's LWK_ABI_VERSION; out: the module's */
	uint32_t flags;	      /* out: LWK_DEV_F_* */
	char msg[LWK_DEV_MSG_LEN];
};
LWK_STATIC_ASSERT(sizeof(struct lwk_ioc_version) == 200);

struct lwk_ioc_reserve {
	uint64_t cpu_mask[LWK_DEV_MAX_CPUS / 64]; /* Linux CPU numbers; the lowest is
						   * the boot core */
	uint64_t mem;				  /* bytes, a multiple of 2 MiB */
	uint64_t low_min;			  /* one range at least this long must lie below
				   * 4 GiB (kernel, boot tables, channel) */
	char name[LWK_DEV_NAME_LEN];		  /* the partition's name, NUL-terminated */
	char msg[LWK_DEV_MSG_LEN];
};
LWK_STATIC_ASSERT(sizeof(struct lwk_ioc_reserve) == 272);

struct lwk_dev_range {
	uint64_t base, size; /* physical, 2 MiB aligned */
};

struct lwk_ioc_info {
	uint32_t state; /* LWK_DEV_STATE_* */
	uint32_t ncpus;
	uint32_t linux_cpu[LWK_DEV_MAX_CPUS]; /* in order; [0] is the boot core */
	uint32_t apic_id[LWK_DEV_MAX_CPUS];
	uint32_t nranges;
	uint32_t tsc_khz;				/* Linux's measure of the TSC */
	struct lwk_dev_range range[LWK_DEV_MAX_RANGES]; /* ascending */
	uint64_t mem;					/* bytes in all ranges */
	uint64_t trampoline;				/* the start page, below 1 MiB */
	uint64_t chan_base, chan_size;			/* set by START */
	uint32_t doorbell_vector;			/* 0: no doorbell, the proxies poll */
	uint32_t doorbell_apic_id;			/* the Linux core it reaches */
	uint32_t owner_uid;				/* who reserved it */
	uint32_t pad;
	char name[LWK_DEV_NAME_LEN];
};
LWK_STATIC_ASSERT(sizeof(struct lwk_ioc_info) == 3168);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_ioc_info, range) == 2064);

struct lwk_ioc_start {
	uint8_t page[LWK_DEV_PAGE];    /* the trampoline page as it must be, for
				     * info.trampoline */
	uint64_t chan_base, chan_size; /* the channel, inside partition memory */
	uint32_t timeout_ms;	       /* wait this long for params.started (capped) */
	uint32_t pad;
	char msg[LWK_DEV_MSG_LEN];
};
LWK_STATIC_ASSERT(sizeof(struct lwk_ioc_start) == 4312);

struct lwk_ioc_shutdown {
	uint32_t timeout_ms;	   /* grace for the LWK to stop its processes */
	uint32_t flags;		   /* out: LWK_DEV_SHUT_* */
	char msg[LWK_DEV_MSG_LEN]; /* out, also on success: what happened */
};
LWK_STATIC_ASSERT(sizeof(struct lwk_ioc_shutdown) == 200);

/* lwk_ioc_shutdown.flags */
#define LWK_DEV_SHUT_CLEAN 1u /* the LWK reported DOWN before its cores were stopped */

struct lwk_ioc_claim {
	uint32_t index; /* out: the channel's process entry now this file's */
	uint32_t pad;
	char msg[LWK_DEV_MSG_LEN];
};
LWK_STATIC_ASSERT(sizeof(struct lwk_ioc_claim) == 200);

#define LWK_IOC_TYPE 0xb7
#define LWK_IOC_VERSION _IOWR(LWK_IOC_TYPE, 1, struct lwk_ioc_version)
#define LWK_IOC_RESERVE _IOWR(LWK_IOC_TYPE, 2, struct lwk_ioc_reserve)
#define LWK_IOC_INFO _IOR(LWK_IOC_TYPE, 3, struct lwk_ioc_info)
#define LWK_IOC_START _IOWR(LWK_IOC_TYPE, 4, struct lwk_ioc_start)
#define LWK_IOC_SHUTDOWN _IOWR(LWK_IOC_TYPE, 5, struct lwk_ioc_shutdown)
#define LWK_IOC_CLAIM _IOWR(LWK_IOC_TYPE, 6, struct lwk_ioc_claim)
#define LWK_IOC_UNCLAIM _IOWR(LWK_IOC_TYPE, 7, struct lwk_ioc_claim)
#define LWK_IOC_RING _IO(LWK_IOC_TYPE, 8) /* argument: LWK_RING_* */

/* LWK_IOC_RING's argument */
#define LWK_RING_SERVICE 1u /* the service core */
#define LWK_RING_PROC 2u    /* the cores of this file's claimed process */

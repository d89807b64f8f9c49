/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lwk.ko: one partition (cores + memory taken from Linux, an LWK booted on
 * them) per node, driven through /dev/lwk (uapi/lwk/lwkdev.h).
 *
 * Locking. lwk.lock (a mutex) serializes every ioctl and guards the
 * partition's state. No ioctl touches user memory while holding it: the
 * argument is copied in before and out after, so a page fault on the
 * argument can never wait on mmap_lock under lwk.lock (mmap and faults take
 * mmap_lock first). lwk.mem_lock (an rwsem) guards what mmap and the fault
 * handler read (the ranges, the channel, mem_valid); it is taken for writing
 * only to publish or withdraw the memory, with lwk.lock held.
 */
#pragma once

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <uapi/lwk/channel.h>
#include <uapi/lwk/lwkdev.h>

struct file;

struct lwk_range {
	u64 base, size;
	void *kaddr; /* the kernel's mapping: the direct map, or memremap */
};

struct lwk_partition {
	u32 state; /* LWK_DEV_STATE_* */
	u64 gen;   /* bumped by every RESERVE; a file remembers the one it saw */
	u32 ncpus;
	u32 cpu[LWK_DEV_MAX_CPUS];
	u32 apic_id[LWK_DEV_MAX_CPUS];
	u32 nranges;
	struct lwk_range range[LWK_DEV_MAX_RANGES];
	u64 mem;
	bool from_region; /* memory is the mem_region parameter's */
	u64 chan_base, chan_size;
	kuid_t owner;
	char name[LWK_DEV_NAME_LEN];
};

struct lwk_device {
	struct mutex lock;
	struct rw_semaphore mem_lock;
	bool mem_valid; /* partition memory may be mapped (under mem_lock) */
	struct lwk_partition part;

	u64 tramp_pa;		      /* the trampoline parameter; 0: none given */
	void *tramp;		      /* its mapping, NULL if unusable */
	const char *tramp_err;	      /* why it is unusable */
	u64 region_base, region_size; /* mem_region parameter; size 0: none */

	struct mutex files_lock; /* files: every open file, for the zap */
	struct list_head files;

	/* the file holding each process entry (lwk_claim.c): changed with
	 * lock and mem_lock (for writing) held */
	struct lwk_file *claimed[LWK_CHAN_MAX_PROCS];

	int doorbell_irq;
	u32 doorbell_cpu, doorbell_vector, doorbell_apic_id;
	atomic64_t doorbells;
	wait_queue_head_t waitq;
};

struct lwk_file {
	struct list_head node;
	struct file *file;
	bool version_ok;
	bool admin;
	u64 gen; /* the partition this file saw */
	u64 doorbells_seen;
	int claim;     /* the process entry this file holds; -1: none */
	u32 claim_seq; /* its mod.claim_seq */
	u32 claim_tag; /* bumped at each claim of this file; its claimed
			* mappings carry it (never reused by this file) */
};

extern struct lwk_device lwk;

/* lwk_msg: format a one-line reason into an ioctl's msg field. */
__printf(2, 3) void lwk_msg(char *msg, const char *fmt, ...);

/* lwk_part.c: the ioctls that change the partition (lwk.lock held). */
int lwk_part_reserve(struct lwk_file *lf, struct lwk_ioc_reserve *arg);
int lwk_part_start(struct lwk_ioc_start *arg);
int lwk_part_shutdown(struct lwk_ioc_shutdown *arg);
void lwk_part_info(struct lwk_ioc_info *info);

/* lwk_cpu.c */
int lwk_cpu_take(struct lwk_partition *p, const u64 *mask, char *msg);
int lwk_cpu_give_back(struct lwk_partition *p, char *msg);
void lwk_cpu_init(u32 apic_id);
void lwk_cpu_startup(u32 apic_id, u64 tramp_pa);

/* lwk_mem.c */
int lwk_mem_take(struct lwk_partition *p, u64 mem, u64 low_min, char *msg);
void lwk_mem_give_back(struct lwk_partition *p);
void *lwk_mem_kaddr(const struct lwk_partition *p, u64 pa, u64 len);
bool lwk_mem_contains(const struct lwk_partition *p, u64 pa, u64 len);

/* lwk_mmap.c */
int lwk_mmap(struct file *file, struct vm_area_struct *vma);
void lwk_mmap_zap_all(void);

/* lwk_claim.c (lwk.lock held, but lwk_claim_may_map: mem_lock) */
int lwk_claim(struct lwk_file *lf, struct lwk_ioc_claim *arg);
int lwk_unclaim(struct lwk_file *lf, struct lwk_ioc_claim *arg);
void lwk_claim_end(struct lwk_file *lf);
void lwk_claim_drop_all(void);
int lwk_claim_may_map(const struct lwk_file *lf, u64 pa, u64 len, bool write, bool *ro);
/* LWK_IOC_RING (takes mem_lock for reading itself; no lwk.lock). */
long lwk_ring(struct lwk_file *lf, unsigned long what);

/* lwk_doorbell.c */
/* Wake the LWK's service core from its halt (its wake vector), or core
 * @cpu of the channel header's numbering; see lwk_ring_core. */
void lwk_wake_service(const struct lwk_chan_header *h);
bool lwk_ring_core(const struct lwk_chan_header *h, u32 cpu);
void lwk_doorbell_setup(void);
void lwk_doorbell_teardown(void);
ssize_t lwk_doorbell_read(struct file *file, char __user *buf, size_t len, loff_t *pos);
__poll_t lwk_doorbell_poll(struct file *file, struct poll_table_struct *wait);

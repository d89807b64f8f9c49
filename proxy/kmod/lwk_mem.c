// SPDX-License-Identifier: GPL-2.0-only
/*
 * Partition memory. Either the boot-time region named by mem_region= (a
 * memmap=SIZE$ADDR reservation Linux never used), or memory taken from the
 * running Linux with alloc_contig_range(), which migrates whatever movable
 * pages are there and hands the range over whole. It is taken in aligned
 * chunks, 1 GiB first (the LWK maps those with 1 GiB pages), then 2 MiB;
 * adjacent chunks merge into one range. One range of at least low_min bytes
 * must lie below 4 GiB: the kernel image, the boot page tables (the
 * trampoline loads CR3 in 32-bit mode) and the channel go there, so it is
 * searched for first, as a single contiguous allocation.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>

#include "lwk.h"

#define LWK_MAX_RAM_SPANS 64
#define LWK_LOW_LIMIT (4ull << 30)

struct lwk_ram_span {
	u64 start, end; /* [start, end) */
};

struct lwk_ram {
	u32 n;
	struct lwk_ram_span span[LWK_MAX_RAM_SPANS];
};

static int lwk_ram_span_add(struct resource *res, void *arg)
{
	struct lwk_ram *ram = arg;

	if (ram->n == LWK_MAX_RAM_SPANS)
		return 0;
	ram->span[ram->n].start = res->start;
	ram->span[ram->n].end = res->end + 1;
	ram->n++;
	return 0;
}

static void lwk_ram_collect(struct lwk_ram *ram)
{
	ram->n = 0;
	walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0, U64_MAX,
			    ram, lwk_ram_span_add);
}

static bool lwk_overlaps(const struct lwk_partition *p, u64 base, u64 size)
{
	u32 i;

	for (i = 0; i < p->nranges; i++)
		if (base < p->range[i].base + p->range[i].size && p->range[i].base < base + size)
			return true;
	return false;
}

/* Worth trying alloc_contig_range on: every page online, in one zone (not
 * the ISA DMA zone), none reserved. Returns 0, or the first bad address. */
static u64 lwk_chunk_bad(u64 base, u64 size)
{
	unsigned long pfn = PHYS_PFN(base), end = PHYS_PFN(base + size);
	struct zone *zone = NULL;
	struct page *page;

	for (; pfn < end; pfn++) {
		page = pfn_to_online_page(pfn);
		if (!page || PageReserved(page))
			return PFN_PHYS(pfn);
		if (!zone) {
			zone = page_zone(page);
			if (zone_idx(zone) == ZONE_DMA)
				return PFN_PHYS(pfn);
		} else if (page_zone(page) != zone) {
			return PFN_PHYS(pfn);
		}
		if (!(pfn & 1023))
			cond_resched();
	}
	return 0;
}

/* Record [base, base+size) in p's ascending ranges, merging neighbours. */
static int lwk_range_add(struct lwk_partition *p, u64 base, u64 size, void *kaddr)
{
	struct lwk_range *r = p->range;
	u32 i = 0, n = p->nranges;

	while (i < n && r[i].base < base)
		i++;
	if (i > 0 && r[i - 1].base + r[i - 1].size == base) {
		r[i - 1].size += size;
		if (i < n && base + size == r[i].base) {
			r[i - 1].size += r[i].size;
			memmove(&r[i], &r[i + 1], (n - i - 1) * sizeof(*r));
			p->nranges--;
		}
	} else if (i < n && base + size == r[i].base) {
		r[i].base = base;
		r[i].size += size;
		r[i].kaddr = kaddr;
	} else {
		if (n == LWK_DEV_MAX_RANGES)
			return -ENOSPC;
		memmove(&r[i + 1], &r[i], (n - i) * sizeof(*r));
		r[i] = (struct lwk_range){ .base = base, .size = size, .kaddr = kaddr };
		p->nranges++;
	}
	p->mem += size;
	return 0;
}

/* Give [pfn, pfn + n) back to Linux 2 MiB at a time: a GiB freed in one
 * go keeps the CPU for long under an emulator. */
static void lwk_pages_free(unsigned long pfn, unsigned long n)
{
	while (n) {
		unsigned long k = min_t(unsigned long, n, PHYS_PFN(SZ_2M));

		free_contig_range(pfn, k);
		pfn += k;
		n -= k;
		cond_resched();
	}
}

/* Try to take one chunk; 0 on success. */
static int lwk_chunk_take(struct lwk_partition *p, u64 base, u64 size, u64 *bad)
{
	unsigned long pfn = PHYS_PFN(base), n = PHYS_PFN(size);

	*bad = 0;
	if (lwk_overlaps(p, base, size))
		return -EBUSY;
	*bad = lwk_chunk_bad(base, size);
	if (*bad)
		return -EBUSY;
	if (alloc_contig_range(pfn, pfn + n, MIGRATE_MOVABLE, GFP_KERNEL | __GFP_NOWARN))
		return -EBUSY;
	if (lwk_range_add(p, base, size, __va(base))) {
		lwk_pages_free(pfn, n);
		return -ENOSPC;
	}
	return 0;
}

/* The low range: size bytes contiguous below 4 GiB. */
static int lwk_mem_take_low(struct lwk_partition *p, const struct lwk_ram *ram, u64 size)
{
	u64 base, end, bad;
	u32 i;

	for (i = 0; i < ram->n; i++) {
		end = min(ram->span[i].end, LWK_LOW_LIMIT);
		base = ALIGN(ram->span[i].start, SZ_2M);
		while (base < end && size <= end - base) {
			if (!lwk_chunk_take(p, base, size, &bad))
				return 0;
			base = bad ? ALIGN(bad + 1, SZ_2M) : base + SZ_2M;
			if (fatal_signal_pending(current))
				return -EINTR;
		}
	}
	return -ENOMEM;
}

/* Chunks of chunk bytes anywhere, until *left is less than a chunk. */
static int lwk_mem_take_chunks(struct lwk_partition *p, const struct lwk_ram *ram, u64 chunk,
			       u64 *left, bool *full)
{
	u64 base, bad;
	u32 i;
	int ret;

	for (i = 0; i < ram->n && *left >= chunk; i++) {
		base = ALIGN(ram->span[i].start, chunk);
		for (; base < ram->span[i].end && chunk <= ram->span[i].end - base; base += chunk) {
			if (*left < chunk)
				break;
			ret = lwk_chunk_take(p, base, chunk, &bad);
			if (!ret)
				*left -= chunk;
			else if (ret == -ENOSPC)
				*full = true;
			if (fatal_signal_pending(current))
				return -EINTR;
		}
	}
	return 0;
}

static int lwk_mem_take_region(struct lwk_partition *p, u64 mem, u64 low_min, char *msg)
{
	void *kaddr;

	if (mem > lwk.region_size) {
		lwk_msg(msg, "%llu MiB asked, mem_region holds %llu MiB", mem >> 20,
			lwk.region_size >> 20);
		return -ENOMEM;
	}
	if (low_min && lwk.region_base + low_min > LWK_LOW_LIMIT) {
		lwk_msg(msg, "mem_region 0x%llx does not have %llu MiB below 4 GiB",
			lwk.region_base, low_min >> 20);
		return -ENOMEM;
	}
	if (!request_mem_region(lwk.region_base, mem, "lwk partition")) {
		lwk_msg(msg, "mem_region 0x%llx+%llu MiB is claimed by another driver",
			lwk.region_base, mem >> 20);
		return -EBUSY;
	}
	kaddr = memremap(lwk.region_base, mem, MEMREMAP_WB);
	if (!kaddr) {
		release_mem_region(lwk.region_base, mem);
		lwk_msg(msg, "memremap of mem_region 0x%llx+%llu MiB failed", lwk.region_base,
			mem >> 20);
		return -ENOMEM;
	}
	p->from_region = true;
	return lwk_range_add(p, lwk.region_base, mem, kaddr);
}

/* alloc_contig_range() takes every free page it is given: left alone, a
 * large request would starve Linux. Keep an eighth of its RAM free. */
static u64 lwk_mem_spare(void)
{
	u64 avail = PFN_PHYS((u64)si_mem_available()), keep = PFN_PHYS((u64)totalram_pages()) / 8;

	return avail > keep ? avail - keep : 0;
}

int lwk_mem_take(struct lwk_partition *p, u64 mem, u64 low_min, char *msg)
{
	struct lwk_ram *ram;
	u64 low = ALIGN(low_min, SZ_2M), left;
	bool full = false;
	int ret;

	if (lwk.region_size)
		return lwk_mem_take_region(p, mem, low_min, msg);
	if (mem > lwk_mem_spare()) {
		lwk_msg(msg,
			"%llu MiB asked, Linux can spare about %llu MiB: ask for less, or boot "
			"Linux with memmap=SIZE$ADDR and load lwk.ko mem_region=SIZE@ADDR",
			mem >> 20, lwk_mem_spare() >> 20);
		return -ENOMEM;
	}
	ram = kmalloc(sizeof(*ram), GFP_KERNEL);
	if (!ram)
		return -ENOMEM;
	lwk_ram_collect(ram);
	ret = low ? lwk_mem_take_low(p, ram, low) : 0;
	if (ret) {
		lwk_msg(msg,
			"found no %llu MiB of free contiguous memory below 4 GiB: boot Linux "
			"with memmap=SIZE$ADDR and load lwk.ko mem_region=SIZE@ADDR",
			low >> 20);
		goto fail;
	}
	left = mem - low;
	ret = lwk_mem_take_chunks(p, ram, SZ_1G, &left, &full);
	if (!ret)
		ret = lwk_mem_take_chunks(p, ram, SZ_2M, &left, &full);
	if (!ret && left)
		ret = -ENOMEM;
	if (ret) {
		lwk_msg(msg,
			"found %llu of %llu MiB%s: ask for less, or boot Linux with "
			"memmap=SIZE$ADDR and load lwk.ko mem_region=SIZE@ADDR",
			p->mem >> 20, mem >> 20, full ? " in 64 ranges" : "");
		goto fail;
	}
	kfree(ram);
	return 0;
fail:
	kfree(ram);
	lwk_mem_give_back(p);
	return ret;
}

void lwk_mem_give_back(struct lwk_partition *p)
{
	u32 i;

	for (i = 0; i < p->nranges; i++) {
		struct lwk_range *r = &p->range[i];

		if (p->from_region) {
			memunmap(r->kaddr);
			release_mem_region(r->base, r->size);
		} else {
			lwk_pages_free(PHYS_PFN(r->base), PHYS_PFN(r->size));
		}
	}
	p->nranges = 0;
	p->mem = 0;
	p->from_region = false;
}

static const struct lwk_range *lwk_range_of(const struct lwk_partition *p, u64 pa, u64 len)
{
	u32 i;

	for (i = 0; i < p->nranges; i++) {
		const struct lwk_range *r = &p->range[i];

		if (pa >= r->base && len <= r->size && pa - r->base <= r->size - len)
			return r;
	}
	return NULL;
}

bool lwk_mem_contains(const struct lwk_partition *p, u64 pa, u64 len)
{
	return len && lwk_range_of(p, pa, len);
}

void *lwk_mem_kaddr(const struct lwk_partition *p, u64 pa, u64 len)
{
	const struct lwk_range *r = lwk_range_of(p, pa, len);

	return r ? (char *)r->kaddr + (pa - r->base) : NULL;
}

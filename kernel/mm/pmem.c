// SPDX-License-Identifier: GPL-2.0-only
/*
 * Buddy allocator of physical frames (interface in lwk/pmem.h).
 *
 * Each range keeps a byte map, one byte per 4 KiB frame, saying whether the
 * frame heads a free block, heads an allocated block, or neither, and the
 * block's order; and beside it the links of the free lists, a pair of
 * frame numbers per frame. Only the map decides whether a buddy is free.
 *
 * No bookkeeping lives inside a block, free or allocated: the content of
 * an allocated frame belongs to its user and may look like anything, and
 * so may a free one's. Linux can write partition memory (a proxy mirrors
 * its process, a staging buffer, the whole of a VM partition's RAM file),
 * and a proxy that the LWK wrongly took for dead, or one that is stopped
 * and resumed, writes on into memory the LWK has freed meanwhile. That
 * must cost at most the data written, never the allocator.
 *
 * A range after pmem_add():
 *
 *   start                              usable_end                end
 *   +----------------------------------+-------------------------+
 *   | blocks                           | map + links (9/4105)    |
 *   +----------------------------------+-------------------------+
 *
 * The map sits at the end because ranges tend to start well aligned and end
 * anywhere: a 1 GiB-aligned range keeps its first 1 GiB frame. Ranges of a
 * few frames keep their map in the static range table instead, so even a
 * single 4 KiB range is usable.
 */
#include <string.h>
#include <lwk/arch.h>
#include <lwk/check.h>
#include <lwk/errno.h>
#include <lwk/pmem.h>
#include <lwk/spinlock.h>
#include <lwk/types.h>

#define FRAME_SHIFT PMEM_SHIFT_4K
#define FRAME_SIZE (1ull << FRAME_SHIFT)
#define MAX_ORDER (PMEM_SHIFT_1G - FRAME_SHIFT)
#define NR_ORDERS (MAX_ORDER + 1)
#define MAX_RANGES 64
#define INLINE_FRAMES 32

/* List heads are physical addresses, links frame numbers; 0 is a valid
 * frame, so "none" is not. */
#define PA_NONE UINT64_MAX
#define PFN_NONE UINT32_MAX
/* Bookkeeping bytes per frame: the map byte and a struct pmem_node. */
#define META_BYTES 9

#define MAP_FREE 0x80 /* heads a free block of order (byte & MAP_ORDER) */
#define MAP_USED 0x40 /* heads an allocated block of that order */
#define MAP_ORDER 0x1f

/* The free-list links of a block head: frame numbers (pa >> 12), so
 * physical memory up to 16 TiB. */
struct pmem_node {
	uint32_t next;
	uint32_t prev;
};

struct pmem_range {
	uint64_t start;		 /* first frame */
	uint64_t usable_end;	 /* blocks live in [start, usable_end) */
	uint64_t end;		 /* end of the range, bookkeeping included */
	uint8_t *map;		 /* a byte per frame of [start, usable_end) */
	struct pmem_node *links; /* a node per frame of [start, usable_end) */
	uint8_t inline_map[INLINE_FRAMES];
	struct pmem_node inline_links[INLINE_FRAMES];
};

struct pmem_list {
	uint64_t head;
	uint64_t tail;
};

static struct spinlock pmem_lock = SPINLOCK_INIT;
static struct pmem_range pmem_ranges[MAX_RANGES];
static unsigned int pmem_nranges;
static struct pmem_list pmem_lists[NR_ORDERS] = {
	[0 ... MAX_ORDER] = { PA_NONE, PA_NONE },
};
static uint64_t pmem_total, pmem_free_total;

static uint64_t block_size(unsigned int order)
{
	return FRAME_SIZE << order;
}

static struct pmem_range *range_find(uint64_t pa);

static struct pmem_node *node_at(uint64_t pa)
{
	struct pmem_range *r = range_find(pa);

	CHECK(r);
	return &r->links[(pa - r->start) >> FRAME_SHIFT];
}

static uint32_t pfn_of(uint64_t pa)
{
	return pa == PA_NONE ? PFN_NONE : (uint32_t)(pa >> FRAME_SHIFT);
}

static uint64_t pa_of(uint32_t pfn)
{
	return pfn == PFN_NONE ? PA_NONE : (uint64_t)pfn << FRAME_SHIFT;
}

/* Insert @pa after @prev, or at the head when @prev is PA_NONE. */
static void list_link(unsigned int order, uint64_t prev, uint64_t pa)
{
	struct pmem_list *l = &pmem_lists[order];
	struct pmem_node *n = node_at(pa);
	uint64_t next = prev == PA_NONE ? l->head : pa_of(node_at(prev)->next);

	n->prev = pfn_of(prev);
	n->next = pfn_of(next);
	if (prev == PA_NONE)
		l->head = pa;
	else
		node_at(prev)->next = pfn_of(pa);
	if (next == PA_NONE)
		l->tail = pa;
	else
		node_at(next)->prev = pfn_of(pa);
}

static void list_unlink(unsigned int order, uint64_t pa)
{
	struct pmem_list *l = &pmem_lists[order];
	struct pmem_node *n = node_at(pa);
	uint64_t prev = pa_of(n->prev), next = pa_of(n->next);

	if (prev == PA_NONE)
		l->head = next;
	else
		node_at(prev)->next = n->next;
	if (next == PA_NONE)
		l->tail = prev;
	else
		node_at(next)->prev = n->prev;
}

/* Keep each list in address order at add time so that a fresh allocator
 * hands out the lowest frames first whatever order the ranges came in.
 * Ranges usually arrive ascending, so the walk from the tail stops at once. */
static void list_insert_sorted(unsigned int order, uint64_t pa)
{
	uint64_t prev = pmem_lists[order].tail;

	while (prev != PA_NONE && prev > pa)
		prev = pa_of(node_at(prev)->prev);
	list_link(order, prev, pa);
}

static struct pmem_range *range_find(uint64_t pa)
{
	for (unsigned int i = 0; i < pmem_nranges; i++) {
		struct pmem_range *r = &pmem_ranges[i];

		if (pa >= r->start && pa < r->usable_end)
			return r;
	}
	return NULL;
}

static uint8_t *map_byte(struct pmem_range *r, uint64_t pa)
{
	return &r->map[(pa - r->start) >> FRAME_SHIFT];
}

/* Freed blocks go to the head: recently used memory is reused first, and
 * freeing stays O(1). */
static void block_put_free(struct pmem_range *r, uint64_t pa, unsigned int order)
{
	*map_byte(r, pa) = MAP_FREE | order;
	list_link(order, PA_NONE, pa);
}

static void block_take_free(struct pmem_range *r, uint64_t pa, unsigned int order)
{
	list_unlink(order, pa);
	*map_byte(r, pa) = 0;
}

/* A buddy is free only if it lies wholly in the same range (blocks never
 * straddle ranges) and the map says it heads a free block of this order. */
static bool buddy_is_free(struct pmem_range *r, uint64_t buddy, unsigned int order)
{
	if (buddy < r->start || buddy >= r->usable_end || r->usable_end - buddy < block_size(order))
		return false;
	return *map_byte(r, buddy) == (MAP_FREE | order);
}

void pmem_reset(void)
{
	spin_lock(&pmem_lock);
	pmem_nranges = 0;
	pmem_total = 0;
	pmem_free_total = 0;
	for (unsigned int o = 0; o < NR_ORDERS; o++)
		pmem_lists[o] = (struct pmem_list){ PA_NONE, PA_NONE };
	spin_unlock(&pmem_lock);
}

/* Trim [base, base + size) inward to whole frames; false if nothing is left
 * or the range wraps around the address space. */
static bool range_trim(uint64_t base, uint64_t size, uint64_t *start, uint64_t *end)
{
	if (size == 0 || base + size < base)
		return false;
	*end = ALIGN_DOWN(base + size, FRAME_SIZE);
	if (base >= *end)
		return false;
	*start = ALIGN_UP(base, FRAME_SIZE);
	return *start < *end;
}

static bool range_overlaps(uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < pmem_nranges; i++) {
		const struct pmem_range *r = &pmem_ranges[i];

		if (start < r->end && r->start < end)
			return true;
	}
	return false;
}

/* Place the bookkeeping: inline for tiny ranges, else m frames carved from
 * the end, where m frames must hold META_BYTES for each of the n - m frames
 * left: m = ceil(9n / 4105). Links first (they want 4-byte alignment),
 * then the map. */
static void range_place_map(struct pmem_range *r)
{
	uint64_t frames = (r->end - r->start) >> FRAME_SHIFT;
	uint64_t meta_frames =
	    (frames * META_BYTES + FRAME_SIZE + META_BYTES - 1) / (FRAME_SIZE + META_BYTES);
	uint64_t usable;

	if (frames <= INLINE_FRAMES) {
		r->usable_end = r->end;
		r->links = r->inline_links;
		r->map = r->inline_map;
	} else {
		r->usable_end = r->end - (meta_frames << FRAME_SHIFT);
		r->links = arch_phys_to_virt(pa_make(r->usable_end));
		usable = (r->usable_end - r->start) >> FRAME_SHIFT;
		r->map = (uint8_t *)(r->links + usable);
	}
	memset(r->map, 0, (r->usable_end - r->start) >> FRAME_SHIFT);
}

/* Largest naturally aligned block that starts at @pa and fits in @room. */
static unsigned int order_fitting(uint64_t pa, uint64_t room)
{
	unsigned int order = 0;

	while (order < MAX_ORDER && IS_ALIGNED(pa, block_size(order + 1)) &&
	       block_size(order + 1) <= room)
		order++;
	return order;
}

static void range_carve(struct pmem_range *r)
{
	uint64_t pa = r->start;

	while (pa < r->usable_end) {
		unsigned int order = order_fitting(pa, r->usable_end - pa);

		*map_byte(r, pa) = MAP_FREE | order;
		list_insert_sorted(order, pa);
		pa += block_size(order);
	}
	pmem_total += r->usable_end - r->start;
	pmem_free_total += r->usable_end - r->start;
}

static int add_locked(uint64_t start, uint64_t end)
{
	struct pmem_range *r;

	if (range_overlaps(start, end))
		return -EINVAL;
	if (pmem_nranges == MAX_RANGES)
		return -ENOSPC;
	r = &pmem_ranges[pmem_nranges++];
	r->start = start;
	r->end = end;
	range_place_map(r);
	range_carve(r);
	return 0;
}

int pmem_add(paddr_t base, uint64_t size)
{
	uint64_t start, end;
	int ret;

	if (!range_trim(pa_addr(base), size, &start, &end))
		return -EINVAL;
	spin_lock(&pmem_lock);
	ret = add_locked(start, end);
	spin_unlock(&pmem_lock);
	return ret;
}

/* Take the first block of the smallest order that fits, then split it,
 * keeping the low half: a fresh allocator fills memory upwards. */
static int alloc_locked(unsigned int order, uint64_t *out)
{
	unsigned int k = order;
	struct pmem_range *r;
	uint64_t pa;

	while (k < NR_ORDERS && pmem_lists[k].head == PA_NONE)
		k++;
	if (k == NR_ORDERS)
		return -ENOMEM;
	pa = pmem_lists[k].head;
	r = range_find(pa);
	CHECK(r);
	block_take_free(r, pa, k);
	while (k > order) {
		k--;
		block_put_free(r, pa + block_size(k), k);
	}
	*map_byte(r, pa) = MAP_USED | order;
	pmem_free_total -= block_size(order);
	*out = pa;
	return 0;
}

int pmem_alloc(unsigned int shift, paddr_t *out)
{
	uint64_t pa;
	int ret;

	if (shift < PMEM_SHIFT_4K || shift > PMEM_SHIFT_1G)
		return -EINVAL;
	spin_lock(&pmem_lock);
	ret = alloc_locked(shift - FRAME_SHIFT, &pa);
	spin_unlock(&pmem_lock);
	if (ret == 0)
		*out = pa_make(pa);
	return ret;
}

static void free_locked(uint64_t pa, unsigned int order)
{
	struct pmem_range *r = range_find(pa);

	CHECK(r);
	CHECK(IS_ALIGNED(pa, block_size(order)));
	/* Catches double frees, wrong shifts and frees of a block's middle. */
	CHECK(*map_byte(r, pa) == (MAP_USED | order));
	*map_byte(r, pa) = 0;
	pmem_free_total += block_size(order);
	while (order < MAX_ORDER) {
		uint64_t buddy = pa ^ block_size(order);

		if (!buddy_is_free(r, buddy, order))
			break;
		block_take_free(r, buddy, order);
		pa = MIN(pa, buddy);
		order++;
	}
	block_put_free(r, pa, order);
}

void pmem_free(paddr_t frame, unsigned int shift)
{
	CHECK(shift >= PMEM_SHIFT_4K && shift <= PMEM_SHIFT_1G);
	spin_lock(&pmem_lock);
	free_locked(pa_addr(frame), shift - FRAME_SHIFT);
	spin_unlock(&pmem_lock);
}

uint64_t pmem_total_bytes(void)
{
	return READ_ONCE(pmem_total);
}

uint64_t pmem_free_bytes(void)
{
	return READ_ONCE(pmem_free_total);
}

uint64_t pmem_largest_free(void)
{
	uint64_t largest = 0;

	spin_lock(&pmem_lock);
	for (unsigned int o = NR_ORDERS; o-- > 0;) {
		if (pmem_lists[o].head != PA_NONE) {
			largest = block_size(o);
			break;
		}
	}
	spin_unlock(&pmem_lock);
	return largest;
}

// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>
#include <lwk/arch.h>
#include <lwk/errno.h>
#include <uapi/lwk/layout.h>
#include <lwk/pmem.h>
#include <lwk/uvm.h>

#define PAGE 4096ull
#define CHUNK_MIN MiB(2)

/* ---- the reservation ---------------------------------------------------- */

static int reserve_chunk(struct uvm *u, uint64_t left)
{
	unsigned int shift =
	    left >= GiB(1) && pmem_largest_free() >= GiB(1) ? PMEM_SHIFT_1G : PMEM_SHIFT_2M;
	paddr_t pa;

	struct uvm_chunk *last = u->nchunks ? &u->chunks[u->nchunks - 1] : NULL;

	if (pmem_alloc(shift, &pa))
		return -ENOMEM;
	u->reserved += 1ull << shift;
	/* The allocator hands out ascending frames: most extend the last run. */
	if (last && last->shift == shift && pa_addr(last->pa) + last->size == pa_addr(pa)) {
		last->size += 1ull << shift;
		return 0;
	}
	if (u->nchunks == UVM_MAX_CHUNKS) {
		pmem_free(pa, shift);
		u->reserved -= 1ull << shift;
		return -ENOMEM;
	}
	u->chunks[u->nchunks++] = (struct uvm_chunk){ pa, 1ull << shift, 0, shift };
	return 0;
}

int uvm_create(struct uvm *u, uint64_t bytes)
{
	int err;

	memset(u, 0, sizeof(*u));
	bytes = ALIGN_UP(bytes, CHUNK_MIN);
	err = arch_uspace_create(&u->root_pa);
	while (!err && u->reserved < bytes)
		err = reserve_chunk(u, bytes - u->reserved);
	if (err)
		uvm_destroy(u);
	/* Nothing is cleared here: uvm_map_region clears what it maps, so
	 * no process sees what an earlier one (or the allocator) left, and
	 * the arena can be cleared elsewhere (uvm_arena_init). */
	return err;
}

void uvm_destroy(struct uvm *u)
{
	for (unsigned int i = 0; i < u->nchunks; i++) {
		struct uvm_chunk *c = &u->chunks[i];

		for (uint64_t off = 0; off < c->size; off += 1ull << c->shift)
			pmem_free(pa_make(pa_addr(c->pa) + off), c->shift);
	}
	if (u->root_pa)
		arch_uspace_destroy(u->root_pa);
	memset(u, 0, sizeof(*u));
}

/* The chunk to cut the next piece from: the fullest one that still has room
 * for small regions (so 1 GiB chunks stay whole for the arena's 1 GiB
 * pages), the emptiest one for large ones. */
static struct uvm_chunk *chunk_pick(struct uvm *u, bool large)
{
	struct uvm_chunk *best = NULL;

	for (unsigned int i = 0; i < u->nchunks; i++) {
		struct uvm_chunk *c = &u->chunks[i];
		uint64_t room = c->size - c->used;

		if (!room)
			continue;
		if (!best ||
		    (large ? room > best->size - best->used : room < best->size - best->used))
			best = c;
	}
	return best;
}

static int maps_insert(struct uvm *u, struct uvm_map m)
{
	unsigned int i = u->nmaps;

	if (u->nmaps == UVM_MAX_MAPS)
		return -ENOMEM;
	while (i > 0 && u->maps[i - 1].va > m.va) {
		u->maps[i] = u->maps[i - 1];
		i--;
	}
	u->maps[i] = m;
	u->nmaps++;
	return 0;
}

/* A chunk with @size bytes free, made for the purpose if none has them. */
static struct uvm_chunk *chunk_contig(struct uvm *u, uint64_t size)
{
	unsigned int shift = PMEM_SHIFT_2M;
	paddr_t pa;

	for (unsigned int i = 0; i < u->nchunks; i++)
		if (u->chunks[i].size - u->chunks[i].used >= size)
			return &u->chunks[i];
	while ((1ull << shift) < size && shift < PMEM_SHIFT_1G)
		shift++;
	if ((1ull << shift) < size || u->nchunks == UVM_MAX_CHUNKS || pmem_alloc(shift, &pa))
		return NULL;
	u->chunks[u->nchunks] = (struct uvm_chunk){ pa, 1ull << shift, 0, shift };
	u->reserved += 1ull << shift;
	return &u->chunks[u->nchunks++];
}

/* Add a map, merged into the previous one when it simply continues it
 * (chunks handed out in order are often physically adjacent). */
static int maps_add(struct uvm *u, struct uvm_map m)
{
	for (unsigned int i = 0; i < u->nmaps; i++) {
		struct uvm_map *p = &u->maps[i];

		if (p->va + p->size == m.va && pa_addr(p->pa) + p->size == pa_addr(m.pa) &&
		    p->prot == m.prot) {
			p->size += m.size;
			return 0;
		}
	}
	return maps_insert(u, m);
}

int uvm_map_region(struct uvm *u, uint64_t va, uint64_t size, unsigned int prot, unsigned int flags)
{
	uint64_t end = va + ALIGN_UP(size, CHUNK_MIN);
	bool large = flags & UVM_LARGE;

	if (!IS_ALIGNED(va, CHUNK_MIN) || va < LWK_USER_START || end > LWK_USER_END || end <= va)
		return -EINVAL;
	while (va < end) {
		struct uvm_chunk *c =
		    (flags & UVM_CONTIG) ? chunk_contig(u, end - va) : chunk_pick(u, large);
		uint64_t piece;
		paddr_t pa;
		int err;

		if (!c)
			return -ENOMEM;
		piece = MIN(end - va, c->size - c->used);
		pa = pa_make(pa_addr(c->pa) + c->used);
		c->used += piece;
		if (!(flags & UVM_UNCLEARED))
			memset(arch_phys_to_virt(pa), 0, piece);
		err = arch_uspace_map(u->root_pa, va, pa, piece, prot, large);
		if (!err)
			err = maps_add(u, (struct uvm_map){ va, piece, pa, prot });
		if (err)
			return err;
		va += piece;
	}
	return 0;
}

/* ---- reaching user memory from the kernel --------------------------------- */

static struct uvm_map *map_find(struct uvm *u, uint64_t va)
{
	for (unsigned int i = 0; i < u->nmaps; i++)
		if (va >= u->maps[i].va && va - u->maps[i].va < u->maps[i].size)
			return &u->maps[i];
	return NULL;
}

void *uvm_kaddr(struct uvm *u, uint64_t va, uint64_t len, unsigned int prot)
{
	uint64_t flags = arch_irq_save();
	struct uvm_map *m;
	void *k = NULL;

	spin_lock(&u->lock);
	m = map_find(u, va);
	if (m && (m->prot & prot) == prot && len <= m->size - (va - m->va))
		k = (uint8_t *)arch_phys_to_virt(m->pa) + (va - m->va);
	spin_unlock(&u->lock);
	arch_irq_restore(flags);
	return k;
}

/* Walk [uva, uva + len) piece by piece (a range may cross maps). */
static int walk(struct uvm *u, uint64_t uva, uint64_t len, unsigned int prot,
		void (*fn)(void *k, uint64_t n, void *arg), void *arg)
{
	if (uva + len < uva)
		return -EFAULT;
	while (len) {
		struct uvm_map *m = map_find(u, uva);
		uint64_t n;

		if (!m || (m->prot & prot) != prot)
			return -EFAULT;
		n = MIN(len, m->size - (uva - m->va));
		fn((uint8_t *)arch_phys_to_virt(m->pa) + (uva - m->va), n, arg);
		uva += n;
		len -= n;
	}
	return 0;
}

static void do_copy_in(void *k, uint64_t n, void *arg)
{
	uint8_t **dst = arg;

	memcpy(*dst, k, n);
	*dst += n;
}

static void do_copy_out(void *k, uint64_t n, void *arg)
{
	const uint8_t **src = arg;

	memcpy(k, *src, n);
	*src += n;
}

static void do_zero(void *k, uint64_t n, void *arg)
{
	memset(k, 0, n);
}

static int walk_locked(struct uvm *u, uint64_t uva, uint64_t len, unsigned int prot,
		       void (*fn)(void *k, uint64_t n, void *arg), void *arg)
{
	uint64_t flags = arch_irq_save();
	int err;

	spin_lock(&u->lock);
	err = walk(u, uva, len, prot, fn, arg);
	spin_unlock(&u->lock);
	arch_irq_restore(flags);
	return err;
}

int uvm_copy_in(struct uvm *u, void *dst, uint64_t uva, uint64_t len)
{
	uint8_t *d = dst;

	return walk_locked(u, uva, len, ARCH_PROT_READ, do_copy_in, &d);
}

int uvm_copy_out(struct uvm *u, uint64_t uva, const void *src, uint64_t len)
{
	const uint8_t *s = src;

	return walk_locked(u, uva, len, ARCH_PROT_WRITE, do_copy_out, &s);
}

static int zero_range(struct uvm *u, uint64_t uva, uint64_t len)
{
	return walk(u, uva, len, 0, do_zero, NULL);
}

int uvm_zero(struct uvm *u, uint64_t uva, uint64_t len)
{
	return walk_locked(u, uva, len, 0, do_zero, NULL);
}

/* ---- protection ------------------------------------------------------------ */

/* Split the map holding @va so that a map starts exactly at @va. */
static int map_split(struct uvm *u, uint64_t va)
{
	struct uvm_map *m = map_find(u, va);
	struct uvm_map tail;

	if (!m || m->va == va)
		return 0;
	tail = (struct uvm_map){ va, m->size - (va - m->va), pa_make(pa_addr(m->pa) + (va - m->va)),
				 m->prot };
	m->size = va - m->va;
	return maps_insert(u, tail);
}

/* Join neighbours that protection changes left with the same rights and
 * contiguous memory: ld.so's mmap/mprotect pattern, repeated with munmap
 * and mmap again, would otherwise use the table up. */
static void maps_coalesce(struct uvm *u)
{
	unsigned int i = 0;

	while (i + 1 < u->nmaps) {
		struct uvm_map *a = &u->maps[i], *b = &u->maps[i + 1];

		if (a->va + a->size != b->va || pa_addr(a->pa) + a->size != pa_addr(b->pa) ||
		    a->prot != b->prot) {
			i++;
			continue;
		}
		a->size += b->size;
		memmove(b, b + 1, (u->nmaps - i - 2) * sizeof(*b));
		u->nmaps--;
	}
}

static int protect_locked(struct uvm *u, uint64_t va, uint64_t size, unsigned int prot)
{
	uint64_t end = va + size;
	int err;

	if (!IS_ALIGNED(va | size, PAGE) || end < va)
		return -EINVAL;
	for (uint64_t p = va; p < end; p += PAGE) /* all of it must be mapped */
		if (!map_find(u, p))
			return -ENOMEM;
	/* Room for the two splits first: the page tables and the maps must
	 * never disagree. */
	if (u->nmaps + 2 > UVM_MAX_MAPS)
		return -ENOMEM;
	err = arch_uspace_protect(u->root_pa, va, size, prot);
	if (err)
		return err;
	err = map_split(u, va);
	if (!err)
		err = map_split(u, end);
	for (unsigned int i = 0; !err && i < u->nmaps; i++)
		if (u->maps[i].va >= va && u->maps[i].va < end)
			u->maps[i].prot = prot;
	if (!err)
		maps_coalesce(u);
	return err;
}

int uvm_protect(struct uvm *u, uint64_t va, uint64_t size, unsigned int prot)
{
	uint64_t flags = arch_irq_save();
	int err;

	spin_lock(&u->lock);
	err = protect_locked(u, va, size, prot);
	spin_unlock(&u->lock);
	arch_irq_restore(flags);
	return err;
}

/* ---- the arena: brk and mmap ------------------------------------------------ */

uint64_t uvm_arena_free_bytes(const struct uvm *u)
{
	return READ_ONCE(u->arena_free);
}

/* Kept as a sum beside the extents (which change under u->lock), so that
 * the service core can read it without that lock. */
static void arena_recount(struct uvm *u)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < u->nfree; i++)
		n += u->free[i].end - u->free[i].start;
	WRITE_ONCE(u->arena_free, n);
}

int uvm_arena_init(struct uvm *u, bool cleared)
{
	uint64_t left = 0;
	int err;

	for (unsigned int i = 0; i < u->nchunks; i++)
		left += u->chunks[i].size - u->chunks[i].used;
	if (left < CHUNK_MIN)
		return -ENOMEM;
	left = MIN(left, LWK_ARENA_MAX);
	err = uvm_map_region(u, LWK_ARENA_BASE, left, ARCH_PROT_READ | ARCH_PROT_WRITE,
			     UVM_LARGE | (cleared ? 0 : UVM_UNCLEARED));
	if (err)
		return err;
	u->arena_base = u->brk_base = u->brk = LWK_ARENA_BASE;
	u->arena_end = LWK_ARENA_BASE + left;
	u->free[0] = (struct uvm_extent){ u->arena_base, u->arena_end };
	u->nfree = 1;
	arena_recount(u);
	return 0;
}

static int extent_remove(struct uvm *u, unsigned int i)
{
	memmove(&u->free[i], &u->free[i + 1], (u->nfree - i - 1) * sizeof(u->free[0]));
	u->nfree--;
	return 0;
}

static int extent_insert(struct uvm *u, unsigned int i, struct uvm_extent e)
{
	if (u->nfree == UVM_MAX_EXTENTS)
		return -ENOMEM;
	memmove(&u->free[i + 1], &u->free[i], (u->nfree - i) * sizeof(u->free[0]));
	u->free[i] = e;
	u->nfree++;
	return 0;
}

/* Take [start, end) out of the free extents; it must lie in one of them. */
static int extents_take(struct uvm *u, uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < u->nfree; i++) {
		struct uvm_extent *e = &u->free[i];

		if (start < e->start || end > e->end)
			continue;
		if (start > e->start && end < e->end) {
			struct uvm_extent tail = { end, e->end };

			if (u->nfree == UVM_MAX_EXTENTS)
				return -ENOMEM;
			e->end = start;
			return extent_insert(u, i + 1, tail);
		}
		if (start > e->start)
			e->end = start;
		else if (end < e->end)
			e->start = end;
		else
			extent_remove(u, i);
		return 0; /* free arena memory is always zero: see arena_give */
	}
	return -EEXIST;
}

/* Give [start, end) back, merging with neighbours. Parts already free are
 * fine (munmap of an unmapped range is not an error on Linux). The range
 * is zeroed here, so that free memory is always zero and mmap and brk hand
 * it out at once (all of it was zeroed when the process was created). */
static int extents_give(struct uvm *u, uint64_t start, uint64_t end)
{
	unsigned int i = 0;

	zero_range(u, start, end - start);

	while (i < u->nfree && u->free[i].end < start)
		i++;
	/* absorb every extent that touches or overlaps [start, end) */
	while (i < u->nfree && u->free[i].start <= end) {
		start = MIN(start, u->free[i].start);
		end = MAX(end, u->free[i].end);
		extent_remove(u, i);
	}
	return extent_insert(u, i, (struct uvm_extent){ start, end });
}

static int arena_take(struct uvm *u, uint64_t start, uint64_t end)
{
	int err = extents_take(u, start, end);

	arena_recount(u);
	return err;
}

static int arena_give(struct uvm *u, uint64_t start, uint64_t end)
{
	int err = extents_give(u, start, end);

	arena_recount(u);
	return err;
}

static bool arena_range_ok(struct uvm *u, uint64_t va, uint64_t len)
{
	return va >= u->brk_base && va + len <= u->arena_end && va + len > va;
}

static bool arena_is_free(struct uvm *u, uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < u->nfree; i++)
		if (start >= u->free[i].start && end <= u->free[i].end)
			return true;
	return false;
}

/* Highest free spot of @len bytes: mmap grows down from the arena's top so
 * that brk has room to grow up. */
static int arena_top_fit(struct uvm *u, uint64_t len, uint64_t *out)
{
	for (unsigned int i = u->nfree; i-- > 0;) {
		struct uvm_extent *e = &u->free[i];

		if (e->end - e->start >= len && e->end - len >= ALIGN_UP(u->brk, PAGE)) {
			*out = e->end - len;
			return 0;
		}
	}
	return -ENOMEM;
}

/* Memory handed out again starts read-write, whatever mprotect made of
 * it before it was given back. */
static int arena_reset_prot(struct uvm *u, uint64_t va, uint64_t len)
{
	for (unsigned int i = 0; i < u->nmaps; i++) {
		struct uvm_map *m = &u->maps[i];

		if (m->va < va + len && va < m->va + m->size &&
		    m->prot != (ARCH_PROT_READ | ARCH_PROT_WRITE))
			return protect_locked(u, va, len, ARCH_PROT_READ | ARCH_PROT_WRITE);
	}
	return 0;
}

static int mmap_locked(struct uvm *u, uint64_t hint, uint64_t len, bool fixed, bool noreplace,
		       uint64_t *out)
{
	uint64_t va;
	int err;

	if (!len)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE);
	if (!len || len > u->arena_end - u->arena_base)
		return -ENOMEM;
	if (fixed || noreplace) {
		if (!IS_ALIGNED(hint, PAGE))
			return -EINVAL;
		if (!arena_range_ok(u, hint, len))
			return -ENOMEM; /* outside the memory this process owns */
		if (!arena_is_free(u, hint, hint + len)) {
			if (noreplace)
				return -EEXIST;
			arena_give(u, hint, hint + len); /* MAP_FIXED replaces */
		}
		va = hint;
	} else if (hint && IS_ALIGNED(hint, PAGE) && arena_range_ok(u, hint, len) &&
		   arena_is_free(u, hint, hint + len)) {
		va = hint;
	} else if ((err = arena_top_fit(u, len, &va))) {
		return err;
	}
	err = arena_take(u, va, va + len);
	if (!err)
		err = arena_reset_prot(u, va, len);
	if (!err)
		*out = va;
	return err;
}

static int munmap_locked(struct uvm *u, uint64_t va, uint64_t len)
{
	uint64_t end = va + ALIGN_UP(len, PAGE);

	if (!IS_ALIGNED(va, PAGE) || !len || end < va)
		return -EINVAL;
	/* Only the mmap part of the arena is ours to give back; anything
	 * outside it (the image, the stack, brk) stays as it is. */
	va = MAX(va, ALIGN_UP(u->brk, PAGE));
	end = MIN(end, u->arena_end);
	return va < end ? arena_give(u, va, end) : 0;
}

/* Linux brk: returns the new break, or the old one if the move is refused. */
static uint64_t brk_locked(struct uvm *u, uint64_t want)
{
	uint64_t cur = ALIGN_UP(u->brk, PAGE), next = ALIGN_UP(want, PAGE);

	if (want < u->brk_base || want > u->arena_end)
		return u->brk;
	if (next > cur && (arena_take(u, cur, next) || arena_reset_prot(u, cur, next - cur)))
		return u->brk;
	if (next < cur)
		arena_give(u, next, cur);
	u->brk = want;
	return u->brk;
}

int uvm_mmap(struct uvm *u, uint64_t hint, uint64_t len, bool fixed, bool noreplace, uint64_t *out)
{
	uint64_t flags = arch_irq_save();
	int err;

	spin_lock(&u->lock);
	err = mmap_locked(u, hint, len, fixed, noreplace, out);
	spin_unlock(&u->lock);
	arch_irq_restore(flags);
	return err;
}

int uvm_munmap(struct uvm *u, uint64_t va, uint64_t len)
{
	uint64_t flags = arch_irq_save();
	int err;

	spin_lock(&u->lock);
	err = munmap_locked(u, va, len);
	spin_unlock(&u->lock);
	arch_irq_restore(flags);
	return err;
}

uint64_t uvm_brk(struct uvm *u, uint64_t want)
{
	uint64_t flags = arch_irq_save(), brk;

	spin_lock(&u->lock);
	brk = brk_locked(u, want);
	spin_unlock(&u->lock);
	arch_irq_restore(flags);
	return brk;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory bring-up. The boot page tables map only the low 4 GiB, so it goes
 * in two steps: the allocator first gets the owned memory below 4 GiB, which
 * is enough to build the kernel's page tables over *all* owned memory; once
 * those are live, the rest is handed to the allocator too.
 */
#include <lwk/arch.h>
#include <lwk/errno.h>
#include <lwk/log.h>
#include <lwk/mm.h>
#include <lwk/pmem.h>

extern char __kernel_start[], __kernel_end[];

struct span {
	uint64_t lo, hi; /* [lo, hi) */
};

/* Where the image runs; all of lwk,kernel if that says more (a loader may
 * count what it put behind the image as part of it). */
static struct span kernel_span(const struct bootdesc *bd)
{
	struct span k = { pa_addr(arch_virt_to_phys(__kernel_start)),
			  pa_addr(arch_virt_to_phys(__kernel_end)) };

	if (bd->kernel.size && bd->kernel.base == k.lo)
		k.hi = MAX(k.hi, bd->kernel.base + bd->kernel.size);
	return k;
}

/* Donate [lo, hi) minus every reserved range and the kernel image. Works by
 * recursion on the first reserved range that cuts the span. */
static int add_free(const struct bootdesc *bd, uint64_t lo, uint64_t hi)
{
	struct span k = kernel_span(bd);

	if (lo >= hi)
		return 0;
	for (unsigned int i = 0; i <= bd->n_reserved; i++) {
		struct span r = i < bd->n_reserved
				    ? (struct span){ bd->reserved[i].base,
						     bd->reserved[i].base + bd->reserved[i].size }
				    : k;

		if (r.hi <= lo || r.lo >= hi)
			continue;
		int err = add_free(bd, lo, MIN(r.lo, hi));

		return err ? err : add_free(bd, MAX(r.hi, lo), hi);
	}
	lo = ALIGN_UP(lo, 4096);
	hi = ALIGN_DOWN(hi, 4096);
	return lo < hi ? pmem_add(pa_make(lo), hi - lo) : 0;
}

/* Add the part of every owned range that lies in [lo, hi). */
static int add_window(const struct bootdesc *bd, uint64_t lo, uint64_t hi)
{
	for (unsigned int i = 0; i < bd->n_memory; i++) {
		uint64_t b = bd->memory[i].base, e = b + bd->memory[i].size;
		int err = add_free(bd, MAX(b, lo), MIN(e, hi));

		if (err)
			return err;
	}
	return 0;
}

static int map_owned(const struct bootdesc *bd)
{
	int err = arch_mmu_init();

	for (unsigned int i = 0; i < bd->n_memory && !err; i++)
		err = arch_mmu_map_direct(pa_make(bd->memory[i].base), bd->memory[i].size);
	/* The AP trampoline page lies outside the owned RAM (the reader
	 * refuses an overlap), so it needs a mapping of its own. */
	if (!err)
		err = arch_mmu_map_direct(pa_make(bd->trampoline.base), bd->trampoline.size);
	return err;
}

int mm_init(const struct bootdesc *bd)
{
	uint64_t pages[3];
	int err;

	pmem_reset();
	err = add_window(bd, 0, GiB(4));
	if (!err)
		err = map_owned(bd);
	if (err) {
		log_err("mm: cannot build the kernel page tables (error %d): the boot description "
			"gives too little memory below 4 GiB",
			err);
		return err;
	}
	arch_mmu_activate();
	err = add_window(bd, GiB(4), ~0ull);
	if (err) {
		log_err("mm: cannot add memory above 4 GiB (error %d)", err);
		return err;
	}
	arch_mmu_direct_stats(pages);
	log_info(
	    "mm: %llu MiB owned, %llu MiB free; direct map %llu x 1G, %llu x 2M, %llu x 4K pages",
	    (unsigned long long)(pmem_total_bytes() >> 20),
	    (unsigned long long)(pmem_free_bytes() >> 20), (unsigned long long)pages[2],
	    (unsigned long long)pages[1], (unsigned long long)pages[0]);
	return 0;
}

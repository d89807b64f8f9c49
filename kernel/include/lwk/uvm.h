/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A process's memory, CNK style: a reservation of 2 MiB / 1 GiB physical
 * chunks taken when the process is created, and regions mapped from it at
 * once (ELF images, the main stack, the arena). Nothing is demand-paged:
 * after creation a page fault is an error. brk and mmap carve from the
 * already-mapped arena (layout.h).
 */
#pragma once

#include <lwk/spinlock.h>
#include <lwk/types.h>

#define UVM_MAX_CHUNKS 512
#define UVM_MAX_MAPS (UVM_MAX_CHUNKS + 64)
#define UVM_MAX_EXTENTS 256

/* A run of physically adjacent frames of one size, taken from pmem. */
struct uvm_chunk {
	paddr_t pa;
	uint64_t size;
	uint64_t used;	    /* bytes handed to regions, from the start */
	unsigned int shift; /* the frames' size: PMEM_SHIFT_2M or _1G */
};

/* A virtually and physically contiguous piece of a region. */
struct uvm_map {
	uint64_t va, size;
	paddr_t pa;
	unsigned int prot; /* PROT_* as Linux numbers them */
};

struct uvm_extent {
	uint64_t start, end;
};

struct uvm {
	/* Threads of the process call mmap, mprotect and copy in parallel:
	 * maps, extents and page tables change under this lock only. */
	struct spinlock lock;
	uint64_t root_pa;
	struct uvm_chunk chunks[UVM_MAX_CHUNKS];
	unsigned int nchunks;
	uint64_t reserved; /* bytes in chunks */
	struct uvm_map maps[UVM_MAX_MAPS];
	unsigned int nmaps;
	/* arena: brk grows up from arena_base, mmap takes from the top */
	uint64_t arena_base, arena_end;
	uint64_t brk_base, brk;
	struct uvm_extent free[UVM_MAX_EXTENTS]; /* sorted, disjoint */
	unsigned int nfree;
	uint64_t arena_free; /* bytes in free[], readable without the lock */
};

/* Reserve @bytes (rounded up to 2 MiB) and make the page tables. -ENOMEM
 * when the partition has not that much free. */
int uvm_create(struct uvm *uvm, uint64_t bytes);
void uvm_destroy(struct uvm *uvm);

/* Map [va, va + size) (va 2 MiB aligned) from the reservation, cleared.
 * UVM_LARGE: 2 MiB / 1 GiB pages; else 4 KiB pages, whose protection
 * uvm_protect() can change. UVM_CONTIG: one physically contiguous piece
 * (taken as an extra chunk if no reserved one has room), for memory the
 * kernel fills through one pointer. UVM_UNCLEARED: leave the memory as
 * it is; the caller clears it (uvm_zero) before anyone can see it. */
#define UVM_LARGE 1u
#define UVM_CONTIG 2u
#define UVM_UNCLEARED 4u
int uvm_map_region(struct uvm *uvm, uint64_t va, uint64_t size, unsigned int prot,
		   unsigned int flags);
/* Change the protection of part of a 4 KiB-mapped region. */
int uvm_protect(struct uvm *uvm, uint64_t va, uint64_t size, unsigned int prot);
/* Make everything left in the reservation the arena at LWK_ARENA_BASE,
 * cleared, or if not @cleared as it is: then the caller must uvm_zero()
 * [arena_base, arena_end) before the process runs or its memory is
 * shown to Linux (the service core has the process's own cores do it, so
 * that a large EXEC does not hold up the service). */
int uvm_arena_init(struct uvm *uvm, bool cleared);

/* Kernel pointer to user range [va, va + len), if it is mapped with at
 * least @prot and physically contiguous; NULL otherwise. */
void *uvm_kaddr(struct uvm *uvm, uint64_t va, uint64_t len, unsigned int prot);
/* Copy to/from user memory; -EFAULT unless every byte is mapped suitably. */
int uvm_copy_in(struct uvm *uvm, void *dst, uint64_t uva, uint64_t len);
int uvm_copy_out(struct uvm *uvm, uint64_t uva, const void *src, uint64_t len);
/* Zero user memory (madvise DONTNEED, fresh mmap). */
int uvm_zero(struct uvm *uvm, uint64_t uva, uint64_t len);

/* Arena allocation for mmap/munmap/brk; Linux semantics and errors. */
int uvm_mmap(struct uvm *uvm, uint64_t hint, uint64_t len, bool fixed, bool noreplace,
	     uint64_t *out);
int uvm_munmap(struct uvm *uvm, uint64_t va, uint64_t len);
uint64_t uvm_brk(struct uvm *uvm, uint64_t want);
uint64_t uvm_arena_free_bytes(const struct uvm *uvm);

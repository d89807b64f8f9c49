/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Physical memory: a buddy allocator over the ranges the boot description
 * says the LWK owns. It hands out naturally aligned frames of 4 KiB, 2 MiB
 * and 1 GiB (any power of two from 4 KiB to 1 GiB, in fact).
 *
 * Metadata is written through arch_phys_to_virt(), so a range may only be
 * added once the direct map covers it.
 */
#pragma once

#include <lwk/types.h>

#define PMEM_SHIFT_4K 12
#define PMEM_SHIFT_2M 21
#define PMEM_SHIFT_1G 30

/* Forget everything (used at boot and by host tests). */
void pmem_reset(void);

/* Donate [base, base + size) as free memory. Unaligned edges are trimmed to
 * 4 KiB. Returns 0, -EINVAL for an empty or overlapping range, or -ENOSPC
 * when the allocator's bookkeeping is full. */
int pmem_add(paddr_t base, uint64_t size);

/* Allocate one frame of 1 << shift bytes, aligned to its size.
 * Returns 0 and sets *out, or -ENOMEM, or -EINVAL for a bad shift. */
int pmem_alloc(unsigned int shift, paddr_t *out);

/* Return a frame obtained from pmem_alloc() with the same shift. */
void pmem_free(paddr_t frame, unsigned int shift);

uint64_t pmem_total_bytes(void);
uint64_t pmem_free_bytes(void);
/* Largest block currently allocatable, in bytes (0 when empty). */
uint64_t pmem_largest_free(void);

/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel page tables. Private to arch/x86_64; generic code uses the
 * arch_mmu_* calls declared in lwk/arch.h. */
#pragma once

#include <lwk/types.h>

/* Map @size bytes of device memory uncached; returns its kernel address. */
void *mmu_map_mmio(paddr_t pa, uint64_t size);
/* Physical address of the kernel's top-level table. */
uint64_t mmu_kernel_cr3(void);
/* The kernel's top-level table, for tables that copy its upper half. */
const uint64_t *mmu_kernel_pml4(void);

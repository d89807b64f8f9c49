// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's page tables, built once at boot from frames of the physical
 * allocator. Each range is mapped with 1 GiB pages where alignment and the
 * CPU allow, 2 MiB pages next, and 4 KiB pages only at ragged edges: the TLB
 * then covers the most memory, and the page walk is the shortest.
 */
#include <string.h>
#include <lwk/arch.h>
#include <arch/x86.h>
#include <arch/mmu.h>
#include <lwk/errno.h>
#include <lwk/pmem.h>

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

/* The lower half of the 48-bit address space: PML4 entries 0..255. */
#define USER_SPACE_END 0x0000800000000000ull

static uint64_t *kernel_pml4;
static uint64_t kernel_cr3;
static uint64_t direct_pages[3];
static uint64_t mmio_next = MMIO_BASE;

static const unsigned int level_shift[4] = { 39, 30, 21, 12 };

/* In .data, not .bss: it is read before anything could clear the bss,
 * and a loader that copies the image must carry it as linked (0). */
__attribute__((section(".data"))) uint64_t kernel_phys_offset;

int arch_kernel_set_phys_base(uint64_t base)
{
	/* Below 4 GiB: the trampoline's page tables live in the image and
	 * are loaded into CR3 in 32-bit mode. */
	if (!IS_ALIGNED(base, MiB(2)) || !base || base >= GiB(4))
		return -EINVAL;
	kernel_phys_offset = base - KERNEL_LINK_PHYS;
	return 0;
}

static bool cpu_has_1g_pages(void)
{
	static int has = -1; /* cpuid is a VM exit under KVM: ask once */

	if (has < 0)
		has = !!(cpuid(0x80000001, 0).edx & (1u << 26));
	return has;
}

static uint64_t *table_alloc(void)
{
	paddr_t frame;

	if (pmem_alloc(PMEM_SHIFT_4K, &frame))
		return NULL;
	memset(arch_phys_to_virt(frame), 0, 4096);
	return arch_phys_to_virt(frame);
}

/* The table that the entry at @level for @va points to, made if missing.
 * NULL if no frame is left, or if a large page already maps @va: that is a
 * caller mapping the same memory twice, and walking into the large page as
 * if it were a table would scribble on the memory it maps. */
static uint64_t *table_next(uint64_t *table, uint64_t va, int level, int *err)
{
	uint64_t *e = &table[(va >> level_shift[level]) & 511];
	uint64_t *next;

	if ((*e & PTE_P) && (*e & PTE_PS)) {
		*err = -EEXIST;
		return NULL;
	}
	if (*e & PTE_P)
		return arch_phys_to_virt(pa_make(*e & PTE_ADDR_MASK));
	next = table_alloc();
	if (!next) {
		*err = -ENOMEM;
		return NULL;
	}
	/* Upper levels allow everything (user access too, below the kernel
	 * half); the leaf decides. */
	*e = pa_addr(arch_virt_to_phys(next)) | PTE_P | PTE_W | (va < USER_SPACE_END ? PTE_U : 0);
	return next;
}

/* Map one page of 1 << level_shift[leaf] bytes under @root. */
static int map_page(uint64_t *root, uint64_t va, uint64_t pa, int leaf, uint64_t flags)
{
	uint64_t *table = root;
	uint64_t *e;
	int err = 0;

	for (int level = 0; level < leaf; level++) {
		table = table_next(table, va, level, &err);
		if (!table)
			return err;
	}
	e = &table[(va >> level_shift[leaf]) & 511];
	if (*e & PTE_P)
		return -EEXIST;
	*e = pa | flags | PTE_P | (leaf < 3 ? PTE_PS : 0);
	return 0;
}

/* The largest page (as a leaf level) that fits at va/pa with @left bytes. */
static int best_leaf(uint64_t va, uint64_t pa, uint64_t left)
{
	if (cpu_has_1g_pages() && IS_ALIGNED(va | pa, GiB(1)) && left >= GiB(1))
		return 1;
	if (IS_ALIGNED(va | pa, MiB(2)) && left >= MiB(2))
		return 2;
	return 3;
}

static int map_range(uint64_t *root, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
		     bool large, uint64_t *counts)
{
	while (size) {
		int leaf = large ? best_leaf(va, pa, size) : 3;
		uint64_t step = 1ull << level_shift[leaf];
		int err = map_page(root, va, pa, leaf, flags);

		if (err)
			return err;
		if (counts)
			counts[3 - leaf]++;
		va += step;
		pa += step;
		size -= step;
	}
	return 0;
}

static int map_kernel_part(char *start, char *end, uint64_t flags)
{
	return map_range(kernel_pml4, (uint64_t)start, pa_addr(arch_virt_to_phys(start)),
			 (uint64_t)(end - start), flags, false, NULL);
}

int arch_mmu_init(void)
{
	int err;

	kernel_pml4 = table_alloc();
	if (!kernel_pml4)
		return -ENOMEM;
	kernel_cr3 = pa_addr(arch_virt_to_phys(kernel_pml4));
	err = map_kernel_part(__kernel_start, __text_end, PTE_G);
	if (!err)
		err = map_kernel_part(__text_end, __rodata_end, PTE_G | PTE_NX);
	if (!err)
		err = map_kernel_part(__rodata_end, __kernel_end, PTE_G | PTE_W | PTE_NX);
	return err;
}

int arch_mmu_map_direct(paddr_t base, uint64_t size)
{
	uint64_t pa = ALIGN_DOWN(pa_addr(base), 4096);
	uint64_t end = ALIGN_UP(pa_addr(base) + size, 4096);

	return map_range(kernel_pml4, DIRECT_MAP + pa, pa, end - pa, PTE_G | PTE_W | PTE_NX, true,
			 direct_pages);
}

void arch_mmu_activate(void)
{
	write_cr3(kernel_cr3);
}

void arch_mmu_direct_stats(uint64_t counts[3])
{
	memcpy(counts, direct_pages, sizeof(direct_pages));
}

void *mmu_map_mmio(paddr_t pa, uint64_t size)
{
	uint64_t off = pa_addr(pa) & 0xfff;
	uint64_t va = mmio_next;

	size = ALIGN_UP(size + off, 4096);
	if (map_range(kernel_pml4, va, pa_addr(pa) - off, size,
		      PTE_G | PTE_W | PTE_NX | PTE_PCD | PTE_PWT, false, NULL))
		return NULL;
	mmio_next += size + 4096; /* leave a guard page between devices */
	return (void *)(va + off);
}

uint64_t mmu_kernel_cr3(void)
{
	return kernel_cr3;
}

const uint64_t *mmu_kernel_pml4(void)
{
	return kernel_pml4;
}

/* Walk the current tables for @va; with @user, every level must also
 * allow user access. */
static bool mmu_query(uint64_t va, bool user, bool *writable, bool *executable)
{
	const uint64_t *table = arch_phys_to_virt(pa_make(read_cr3() & PTE_ADDR_MASK));
	bool w = true, x = true;

	for (int level = 0; level < 4; level++) {
		uint64_t e = table[(va >> level_shift[level]) & 511];

		if (!(e & PTE_P) || (user && !(e & PTE_U)))
			return false;
		w = w && (e & PTE_W);
		x = x && !(e & PTE_NX);
		if (level == 3 || (e & PTE_PS))
			break;
		table = arch_phys_to_virt(pa_make(e & PTE_ADDR_MASK));
	}
	*writable = w;
	*executable = x;
	return true;
}

bool arch_mmu_query(uint64_t va, bool *writable, bool *executable)
{
	return mmu_query(va, false, writable, executable);
}

/* ---- user address spaces -------------------------------------------------- */

/* A process's top-level table shares the kernel half (entries 256..511)
 * with every other; the user half is its own. */
int arch_uspace_create(uint64_t *root_pa)
{
	uint64_t *root = table_alloc();

	if (!root)
		return -ENOMEM;
	memcpy(root + 256, kernel_pml4 + 256, 256 * sizeof(uint64_t));
	*root_pa = pa_addr(arch_virt_to_phys(root));
	return 0;
}

int arch_uspace_map(uint64_t root_pa, uint64_t va, paddr_t pa, uint64_t size, unsigned int prot,
		    bool large)
{
	uint64_t flags =
	    PTE_U | ((prot & ARCH_PROT_WRITE) ? PTE_W : 0) | ((prot & ARCH_PROT_EXEC) ? 0 : PTE_NX);

	if (va + size < va || va + size > USER_SPACE_END ||
	    !IS_ALIGNED(va | pa_addr(pa) | size, 4096))
		return -EINVAL;
	return map_range(arch_phys_to_virt(pa_make(root_pa)), va, pa_addr(pa), size, flags, large,
			 NULL);
}

static void table_free_user(uint64_t *table, int level)
{
	for (int i = 0; i < 512; i++) {
		uint64_t e = table[i];

		if (!(e & PTE_P) || (e & PTE_PS) || level == 3)
			continue;
		table_free_user(arch_phys_to_virt(pa_make(e & PTE_ADDR_MASK)), level + 1);
	}
	pmem_free(arch_virt_to_phys(table), PMEM_SHIFT_4K);
}

/* Free the tables of the user half (not the memory they map). */
void arch_uspace_destroy(uint64_t root_pa)
{
	uint64_t *root = arch_phys_to_virt(pa_make(root_pa));

	for (int i = 0; i < 256; i++)
		if (root[i] & PTE_P)
			table_free_user(arch_phys_to_virt(pa_make(root[i] & PTE_ADDR_MASK)), 1);
	pmem_free(pa_make(root_pa), PMEM_SHIFT_4K);
}

void arch_uspace_activate(uint64_t root_pa)
{
	if (read_cr3() != root_pa)
		write_cr3(root_pa);
}

void arch_uspace_deactivate(void)
{
	arch_uspace_activate(kernel_cr3);
}

/* The leaf entry mapping @va and the size it maps, or NULL. */
static uint64_t *leaf_find(uint64_t *table, uint64_t va, uint64_t *size)
{
	for (int level = 0; level < 4; level++) {
		uint64_t *e = &table[(va >> level_shift[level]) & 511];

		if (!(*e & PTE_P))
			return NULL;
		if (level == 3 || (*e & PTE_PS)) {
			*size = 1ull << level_shift[level];
			return e;
		}
		table = arch_phys_to_virt(pa_make(*e & PTE_ADDR_MASK));
	}
	return NULL;
}

/* Replace the large-page entry @e (mapping @page bytes) by a table of 512
 * entries of the next size down, mapping the same memory the same way. */
static int large_split(uint64_t *e, uint64_t page)
{
	uint64_t *t = table_alloc();
	uint64_t pa = *e & PTE_ADDR_MASK & ~(page - 1), step = page / 512;
	uint64_t flags = *e & ~PTE_ADDR_MASK & ~PTE_PS;

	if (!t)
		return -ENOMEM;
	for (int i = 0; i < 512; i++)
		t[i] = (pa + i * step) | flags | (step > 4096 ? PTE_PS : 0);
	*e = pa_addr(arch_virt_to_phys(t)) | PTE_P | PTE_W | PTE_U;
	return 0;
}

int arch_uspace_protect(uint64_t root_pa, uint64_t va, uint64_t size, unsigned int prot)
{
	uint64_t *root = arch_phys_to_virt(pa_make(root_pa));
	uint64_t end = va + size;

	while (va < end) {
		uint64_t page, *e = leaf_find(root, va, &page);

		if (!e)
			return -ENOMEM;
		if (!IS_ALIGNED(va, page) || end - va < page) {
			/* Part of a large page: split it into pages of the next
			 * size down, then look again. */
			if (large_split(e, page))
				return -ENOMEM;
			if (read_cr3() == root_pa)
				invlpg(ALIGN_DOWN(va, page));
			continue;
		}
		/* PROT_NONE: user access goes (U clear); the kernel still
		 * reaches the memory through the direct map. */
		*e &= ~(PTE_W | PTE_NX | PTE_U);
		*e |= ((prot & ARCH_PROT_WRITE) ? PTE_W : 0) |
		      ((prot & ARCH_PROT_EXEC) ? 0 : PTE_NX) | (prot ? PTE_U : 0);
		if (read_cr3() == root_pa)
			invlpg(va);
		va += page;
	}
	return 0;
}

bool arch_mmu_query_user(uint64_t va, bool *writable, bool *executable)
{
	return mmu_query(va, true, writable, executable);
}

void arch_tlb_flush_all(void)
{
	write_cr3(read_cr3()); /* global pages are the kernel's, never stale */
}

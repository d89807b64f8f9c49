// SPDX-License-Identifier: GPL-2.0-only
/* ktests for physical memory and the kernel's page tables. */
#include <string.h>
#include <lwk/arch.h>
#include <lwk/bootdesc.h>
#include <lwk/kmain.h>
#include <lwk/ktest.h>
#include <lwk/pmem.h>

static int some_data = 1;
static const int some_rodata = 2;

static bool in_owned_ram(uint64_t pa, uint64_t size)
{
	const struct bootdesc *bd = kernel_bootdesc();

	for (unsigned int i = 0; i < bd->n_memory; i++)
		if (pa >= bd->memory[i].base &&
		    pa + size <= bd->memory[i].base + bd->memory[i].size)
			return true;
	return false;
}

static void check_frame(unsigned int shift)
{
	uint64_t free_before = pmem_free_bytes(), size = 1ull << shift;
	paddr_t f;
	uint8_t *p;

	KT_EXPECT_EQ(pmem_alloc(shift, &f), 0);
	KT_EXPECT(IS_ALIGNED(pa_addr(f), size));
	KT_EXPECT(in_owned_ram(pa_addr(f), size));
	KT_EXPECT_EQ(pmem_free_bytes(), free_before - size);
	p = arch_phys_to_virt(f);
	p[0] = 0x5a;
	p[size - 1] = 0xa5; /* the whole frame is in the direct map */
	KT_EXPECT(p[0] == 0x5a && p[size - 1] == 0xa5);
	pmem_free(f, shift);
	KT_EXPECT_EQ(pmem_free_bytes(), free_before);
}

TEST(mm, frames_of_each_size)
{
	check_frame(PMEM_SHIFT_4K);
	check_frame(PMEM_SHIFT_2M);
	if (pmem_largest_free() >= GiB(1))
		check_frame(PMEM_SHIFT_1G);
}

TEST(mm, exhaustion_is_enomem)
{
	paddr_t f;

	KT_EXPECT(pmem_alloc(PMEM_SHIFT_1G + 1, &f) < 0);
	if (pmem_largest_free() < GiB(1))
		KT_EXPECT(pmem_alloc(PMEM_SHIFT_1G, &f) < 0);
}

TEST(mm, kernel_mapping_permissions)
{
	bool w, x;

	KT_EXPECT(arch_mmu_query((uint64_t)kmain, &w, &x));
	KT_EXPECT(!w && x);
	KT_EXPECT(arch_mmu_query((uint64_t)&some_rodata, &w, &x));
	KT_EXPECT(!w && !x);
	KT_EXPECT(arch_mmu_query((uint64_t)&some_data, &w, &x));
	KT_EXPECT(w && !x);
	KT_EXPECT(!arch_mmu_query(0, &w, &x));
	KT_EXPECT(!arch_mmu_query(0x200000, &w, &x)); /* no identity map left */
}

extern char __kernel_start[], __kernel_end[];

/* The image's physical addresses are where it really runs (lwk,kernel):
 * a word reached through the direct map at arch_virt_to_phys of its image
 * address is the same word. Wrong there, the page tables the kernel built
 * for itself and for the APs would point at someone else's memory. */
TEST(mm, kernel_image_phys_is_real)
{
	const struct bootdesc *bd = kernel_bootdesc();
	paddr_t pa = arch_virt_to_phys(&some_data);
	volatile int *alias = arch_phys_to_virt(pa);
	uint64_t ks = pa_addr(arch_virt_to_phys(__kernel_start));

	KT_EXPECT(IS_ALIGNED(ks, MiB(2)));
	if (bd->kernel.size)
		KT_EXPECT(ks == bd->kernel.base);
	some_data = 0x5eed5eed;
	KT_EXPECT(*alias == 0x5eed5eed);
	*alias = 0x1234;
	KT_EXPECT(READ_ONCE(some_data) == 0x1234);
}

TEST(mm, direct_map_uses_large_pages)
{
	uint64_t pages[3];

	arch_mmu_direct_stats(pages);
	KT_EXPECT(pages[1] + pages[2] > 0);
	/* Only ragged edges may need 4 KiB pages: at most 511 per edge. */
	KT_EXPECT(pages[0] <= 2 * 511 * (kernel_bootdesc()->n_memory + 1));
}

static void check_features(void *arg)
{
	KT_EXPECT(arch_cpu_features_ok());
}

/* On every core: an AP that came up with caches off or without NX would
 * look fine from the boot core. */
TEST(mm, protection_features_on_every_core)
{
	ktest_each_cpu(check_features, NULL, 5000000);
}

TEST_MANUAL(fault, null_deref)
{
	volatile int *p = NULL;

	KT_EXPECT_EQ(*p, 0); /* never returns: the page fault panics */
}

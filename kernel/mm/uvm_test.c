// SPDX-License-Identifier: GPL-2.0-only
/* ktests for the arena's protections, as ld.so and file mmap use them. */
#include <lwk/arch.h>
#include <lwk/ktest.h>
#include <lwk/proc.h>

#define PAGE 4096ull

/* mmap, mprotect to fewer rights, munmap, again and again at sizes that
 * differ each time: the map table must not grow with the number of
 * rounds (neighbours with the same rights are joined again). */
TEST(uvm, protect_cycles_keep_the_map_table_small)
{
	struct proc *p;
	unsigned int start;

	if (proc_create(MiB(8), "ktest-uvm", &p)) {
		ktest_fail(__FILE__, __LINE__, "cannot make the test process");
		return;
	}
	KT_EXPECT_EQ(uvm_arena_init(&p->uvm, true), 0);
	start = p->uvm.nmaps;
	for (unsigned int i = 0; i < 2 * UVM_MAX_MAPS; i++) {
		uint64_t len = (1 + i % 7) * PAGE, va = 0;

		KT_EXPECT_EQ(uvm_mmap(&p->uvm, 0, 3 * len, false, false, &va), 0);
		KT_EXPECT_EQ(uvm_protect(&p->uvm, va + len, len, ARCH_PROT_READ), 0);
		KT_EXPECT(!uvm_kaddr(&p->uvm, va + len, 1, ARCH_PROT_WRITE));
		KT_EXPECT(uvm_kaddr(&p->uvm, va, 1, ARCH_PROT_WRITE));
		KT_EXPECT_EQ(uvm_munmap(&p->uvm, va, 3 * len), 0);
	}
	KT_EXPECT(p->uvm.nmaps <= start + 4);
	proc_destroy(p);
}

/* The free figure /proc/meminfo shows follows every mmap, munmap and brk
 * exactly (the service core reads it without the process's lock). */
TEST(uvm, arena_free_follows_mmap_and_brk)
{
	uint64_t all, va = 0, brk0;
	struct proc *p;

	if (proc_create(MiB(8), "ktest-uvm", &p)) {
		ktest_fail(__FILE__, __LINE__, "cannot make the test process");
		return;
	}
	KT_EXPECT_EQ(uvm_arena_init(&p->uvm, true), 0);
	all = uvm_arena_free_bytes(&p->uvm);
	KT_EXPECT_EQ(all, p->uvm.arena_end - p->uvm.arena_base);
	KT_EXPECT_EQ(uvm_mmap(&p->uvm, 0, 5 * PAGE, false, false, &va), 0);
	KT_EXPECT_EQ(uvm_arena_free_bytes(&p->uvm), all - 5 * PAGE);
	KT_EXPECT_EQ(uvm_munmap(&p->uvm, va + PAGE, 2 * PAGE), 0);
	KT_EXPECT_EQ(uvm_arena_free_bytes(&p->uvm), all - 3 * PAGE);
	KT_EXPECT_EQ(uvm_munmap(&p->uvm, va, 5 * PAGE), 0); /* partly free already */
	KT_EXPECT_EQ(uvm_arena_free_bytes(&p->uvm), all);
	brk0 = uvm_brk(&p->uvm, 0);
	KT_EXPECT_EQ(uvm_brk(&p->uvm, brk0 + 3 * PAGE), brk0 + 3 * PAGE);
	KT_EXPECT_EQ(uvm_arena_free_bytes(&p->uvm), all - 3 * PAGE);
	proc_destroy(p);
}

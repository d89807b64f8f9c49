// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of a process's user memory (kernel/mm/uvm.c): the
 * reservation, the arena's bookkeeping for mmap, munmap and brk, and
 * protection changes, on fake physical memory with the fake arch's page
 * tables (which accept everything: what is checked here is uvm's own
 * record of what is mapped how).
 */
#include <stdlib.h>
#include <lwk/arch.h>
#include <lwk/errno.h>
#include <lwk/pmem.h>
#include <uapi/lwk/layout.h>
#include "fake_arch.h"
#include "fake_kernel.h"
#include "htest.h"

#define PAGE 4096ull
#define RW (ARCH_PROT_READ | ARCH_PROT_WRITE)

/* A process whose 16 MiB are all arena. */
static struct proc *arena_proc(void)
{
	return fake_proc_create(1, MiB(16));
}

static uint64_t mmap_any(struct uvm *u, uint64_t len)
{
	uint64_t va = 0;

	EXPECT_EQ(uvm_mmap(u, 0, len, false, false, &va), 0);
	return va;
}

HTEST(uvm, arena_is_what_is_left_of_the_reservation)
{
	struct proc *p = arena_proc();
	struct uvm *u = &p->uvm;

	EXPECT_EQ(u->reserved, MiB(16));
	EXPECT_EQ(u->arena_base, LWK_ARENA_BASE);
	EXPECT_EQ(u->arena_end, LWK_ARENA_BASE + MiB(16));
	EXPECT_EQ(u->brk, LWK_ARENA_BASE);
	EXPECT_EQ(uvm_arena_free_bytes(u), MiB(16));
	fake_proc_destroy(p);
	EXPECT_EQ(fake_uspace_live, 0);
}

HTEST(uvm, create_rounds_up_and_destroy_gives_back)
{
	struct proc *p = arena_proc();
	uint64_t before = pmem_free_bytes();
	struct uvm *u = calloc(1, sizeof(*u));

	EXPECT_EQ(uvm_create(u, MiB(3)), 0);
	EXPECT_EQ(u->reserved, MiB(4));
	EXPECT_EQ(pmem_free_bytes(), before - MiB(4));
	uvm_destroy(u);
	EXPECT_EQ(pmem_free_bytes(), before);
	/* more than the partition has: refused, nothing kept */
	EXPECT_EQ(uvm_create(u, GiB(1)), -ENOMEM);
	EXPECT_EQ(pmem_free_bytes(), before);
	EXPECT_EQ(fake_uspace_live, 1); /* only the process's own */
	fake_uspace_create_err = -ENOMEM;
	EXPECT_EQ(uvm_create(u, MiB(2)), -ENOMEM);
	fake_uspace_create_err = 0;
	EXPECT_EQ(pmem_free_bytes(), before);
	free(u);
	fake_proc_destroy(p);
}

HTEST(uvm, mmap_takes_from_the_top_in_pages)
{
	struct proc *p = arena_proc();
	struct uvm *u = &p->uvm;
	uint64_t a = mmap_any(u, 5000), b = mmap_any(u, PAGE);

	EXPECT_EQ(a, u->arena_end - 2 * PAGE);
	EXPECT_EQ(b, a - PAGE);
	EXPECT_EQ(uvm_arena_free_bytes(u), MiB(16) - 3 * PAGE);
	/* a free, aligned hint is taken as it is */
	EXPECT_EQ(uvm_mmap(u, LWK_ARENA_BASE + MiB(1), PAGE, false, false, &a), 0);
	EXPECT_EQ(a, LWK_ARENA_BASE + MiB(1));
	/* a taken one is not */
	EXPECT_EQ(uvm_mmap(u, LWK_ARENA_BASE + MiB(1), PAGE, false, false, &a), 0);
	EXPECT(a != LWK_ARENA_BASE + MiB(1));
	fake_proc_destroy(p);
}

HTEST(uvm, mmap_refusals)
{
	struct proc *p = arena_proc();
	struct uvm *u = &p->uvm;
	uint64_t va = 0, top = u->arena_end - PAGE;

	EXPECT_EQ(uvm_mmap(u, 0, 0, false, false, &va), -EINVAL);
	EXPECT_EQ(uvm_mmap(u, 0, MiB(17), false, false, &va), -ENOMEM);
	EXPECT_EQ(uvm_mmap(u, 0, ~0ull, false, false, &va), -ENOMEM); /* rounds to 0 */
	EXPECT_EQ(uvm_mmap(u, top + 1, PAGE, true, false, &va), -EINVAL);
	EXPECT_EQ(uvm_mmap(u, u->arena_end, PAGE, true, false, &va), -ENOMEM);
	EXPECT_EQ(uvm_mmap(u, LWK_USER_START, PAGE, true, false, &va), -ENOMEM);
	EXPECT_EQ(uvm_mmap(u, top, PAGE, false, true, &va), 0);
	EXPECT_EQ(uvm_mmap(u, top, PAGE, false, true, &va), -EEXIST);
	EXPECT_EQ(uvm_arena_free_bytes(u), MiB(16) - PAGE);
	fake_proc_destroy(p);
}

/* MAP_FIXED over memory in use replaces it with fresh, zeroed memory. */
HTEST(uvm, mmap_fixed_replaces_with_zeroes)
{
	struct proc *p = arena_proc();
	struct uvm *u = &p->uvm;
	uint64_t va = mmap_any(u, PAGE), word = 0x1234, back = 1;

	EXPECT_EQ(uvm_copy_out(u, va + 8, &word, sizeof(word)), 0);
	EXPECT_EQ(uvm_mmap(u, va, PAGE, true, false, &va), 0);
	EXPECT_EQ(uvm_copy_in(u, &back, va + 8, sizeof(back)), 0);
	EXPECT_EQ(back, 0);
	EXPECT_EQ(uvm_arena_free_bytes(u), MiB(16) - PAGE);
	fake_proc_destroy(p);
}

HTEST(uvm, munmap_merges_free_extents)
{
	struct proc *p = arena_proc();
	struct uvm *u = &p->uvm;
	uint64_t a = mmap_any(u, PAGE), b = mmap_any(u, PAGE), c = mmap_any(u, PAGE);

	EXPECT_EQ(uvm_munmap(u, b, PAGE), 0); /* a hole between a and c */
	EXPECT_EQ(u->nfree, 2);
	EXPECT_EQ(mmap_any(u, PAGE), b); /* the hole is the top fit */
	EXPECT_EQ(uvm_munmap(u, c, 3 * PAGE), 0);
	EXPECT_EQ(u->nfree, 1);
	EXPECT_EQ(uvm_arena_free_bytes(u), MiB(16));
	EXPECT_EQ(uvm_munmap(u, a, PAGE), 0); /* already free: fine, as Linux */
	EXPECT_EQ(uvm_munmap(u, a + 1, PAGE), -EINVAL);
	EXPECT_EQ(uvm_munmap(u, a, 0), -EINVAL);
	EXPECT_EQ(uvm_munmap(u, a, ~0ull - PAGE), -EINVAL);
	fake_proc_destroy(p);
}

HTEST(uvm, brk_grows_shrinks_and_refuses)
{
	struct proc *p = arena_proc();
	struct uvm *u = &p->uvm;
	uint64_t base = u->brk_base, va = 0;

	EXPECT_EQ(uvm_brk(u, base + 100), base + 100);
	EXPECT_EQ(uvm_arena_free_bytes(u), MiB(16) - PAGE);
	EXPECT_EQ(uvm_brk(u, base - 1), base + 100);
	EXPECT_EQ(uvm_brk(u, u->arena_end + 1), base + 100);
	/* mmap memory in the way: brk does not grow over it */
	EXPECT_EQ(uvm_mmap(u, base + 4 * PAGE, PAGE, true, false, &va), 0);
	EXPECT_EQ(uvm_brk(u, base + 8 * PAGE), base + 100);
	EXPECT_EQ(uvm_brk(u, base + 3 * PAGE), base + 3 * PAGE);
	/* munmap leaves brk's memory alone */
	EXPECT_EQ(uvm_munmap(u, base, 2 * PAGE), 0);
	EXPECT_EQ(uvm_arena_free_bytes(u), MiB(16) - 4 * PAGE);
	EXPECT_EQ(uvm_brk(u, base), base);
	EXPECT_EQ(uvm_arena_free_bytes(u), MiB(16) - PAGE);
	fake_proc_destroy(p);
}

HTEST(uvm, protect_splits_and_mmap_resets)
{
	struct proc *p = arena_proc();
	struct uvm *u = &p->uvm;
	unsigned int nmaps = u->nmaps;
	uint64_t va = mmap_any(u, 3 * PAGE), word = 7;

	EXPECT_EQ(uvm_protect(u, va + PAGE, PAGE, ARCH_PROT_READ), 0);
	EXPECT_EQ(u->nmaps, nmaps + 2);
	EXPECT(uvm_kaddr(u, va + PAGE, 8, ARCH_PROT_READ) != NULL);
	EXPECT(uvm_kaddr(u, va + PAGE, 8, RW) == NULL);
	EXPECT_EQ(uvm_copy_out(u, va + PAGE, &word, 8), -EFAULT);
	EXPECT_EQ(uvm_copy_out(u, va, &word, 8), 0);
	EXPECT_EQ(uvm_copy_in(u, &word, va + PAGE - 4, 8), 0); /* reading across is fine */
	EXPECT_EQ(uvm_protect(u, va + 1, PAGE, ARCH_PROT_READ), -EINVAL);
	EXPECT_EQ(uvm_protect(u, LWK_USER_START, PAGE, ARCH_PROT_READ), -ENOMEM);
	/* given back and handed out again: read-write, one map again */
	EXPECT_EQ(uvm_munmap(u, va, 3 * PAGE), 0);
	EXPECT_EQ(mmap_any(u, 3 * PAGE), va);
	EXPECT_EQ(uvm_copy_out(u, va + PAGE, &word, 8), 0);
	EXPECT_EQ(u->nmaps, nmaps);
	fake_proc_destroy(p);
}

HTEST(uvm, copies_outside_fail)
{
	struct proc *p = arena_proc();
	struct uvm *u = &p->uvm;
	uint64_t word = 0;

	EXPECT_EQ(uvm_copy_in(u, &word, LWK_USER_START, 8), -EFAULT);
	EXPECT_EQ(uvm_copy_in(u, &word, u->arena_end - 4, 8), -EFAULT);
	EXPECT_EQ(uvm_copy_out(u, ~0ull - 3, &word, 8), -EFAULT);
	EXPECT_EQ(uvm_zero(u, u->arena_end - PAGE, PAGE), 0);
	EXPECT(uvm_kaddr(u, u->arena_end - 4, 8, ARCH_PROT_READ) == NULL);
	fake_proc_destroy(p);
}

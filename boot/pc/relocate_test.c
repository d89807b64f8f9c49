// SPDX-License-Identifier: GPL-2.0-only
/*
 * Partition mode's hand-over, tested without Linux (ktest image only).
 * With lwk.test-relocate=BASE on the command line, the PC boot path does
 * what lwkctl does beside Linux (uapi/lwk/lwkdev.h): it copies the image to
 * BASE with its bss cleared, builds the boot core's page tables as lwkctl
 * must ([0, 2 MiB) identity; KERNEL_VMA + 2 MiB + x -> BASE + x over the
 * image; DIRECT_MAP + pa -> pa over the owned memory below 4 GiB), puts the
 * boot description behind them with lwk,kernel = BASE and both listed in
 * lwk,reserved, and calls partition_entry on boot_stack_top with the
 * description's physical address. From there on the kernel runs entirely
 * from BASE; the ktests then run as usual. lwk.test-relocate=BASE,bare
 * also drops lwk,uart-port and lwk,exit-port, as beside Linux: no console,
 * no exit, only the channel (a VM partition shows what that looks like).
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include <lwk/arch.h>
#include <lwk/bootdesc.h>
#include <lwk/cmdline.h>
#include <lwk/log.h>
#include <arch/x86.h>
#include <uapi/lwk/bootdesc.h>
#include "../partition.h"
#include "relocate_test.h"

extern char __kernel_start[], __bss_start[], __kernel_end[], boot_stack_top[];

#define RT_PAGE 4096ull
#define RT_TABLES 10 /* pml4, 2 x (pdpt, pd) low and kernel, pdpt + 4 pd direct */
#define RT_FDT_ROOM LWK_BD_MAX_SIZE
#define RT_PTE (PTE_P | PTE_W)

static struct bootdesc rt_bd;

static __noreturn void rt_fail(const char *what)
{
	log_raw("relocate test: %s\nlwk: boot failed; stopping\n", what);
	arch_exit(ARCH_EXIT_FAIL);
}

static uint64_t *rt_table(uint64_t pa)
{
	return (uint64_t *)(DIRECT_MAP + pa);
}

static bool rt_owned(uint64_t lo, uint64_t hi)
{
	for (unsigned int i = 0; i < rt_bd.n_memory; i++)
		if (lo < rt_bd.memory[i].base + rt_bd.memory[i].size && rt_bd.memory[i].base < hi)
			return true;
	return false;
}

/* [base, end) must be owned memory that nothing else uses. */
static void rt_check_room(uint64_t base, uint64_t end)
{
	struct bd_range want = { base, end - base };
	bool inside = false;

	if (!IS_ALIGNED(base, MiB(2)) || end > GiB(4))
		rt_fail("lwk.test-relocate: BASE must be 2 MiB aligned, with room below 4 GiB");
	for (unsigned int i = 0; i < rt_bd.n_memory; i++)
		inside |= rt_bd.memory[i].base <= base &&
			  end <= rt_bd.memory[i].base + rt_bd.memory[i].size;
	for (unsigned int i = 0; i < rt_bd.n_reserved; i++)
		if (base < rt_bd.reserved[i].base + rt_bd.reserved[i].size &&
		    rt_bd.reserved[i].base < want.base + want.size)
			inside = false;
	if (!inside)
		rt_fail("lwk.test-relocate: BASE is not free owned memory with room for the image");
}

/* lwkctl's tables at @t (RT_TABLES pages); returns the PML4's address. */
static uint64_t rt_build_tables(uint64_t t, uint64_t base, uint64_t image)
{
	uint64_t *pml4 = rt_table(t), *pdpt_lo = rt_table(t + RT_PAGE);
	uint64_t *pd_lo = rt_table(t + 2 * RT_PAGE), *pdpt_hi = rt_table(t + 3 * RT_PAGE);
	uint64_t *pd_k = rt_table(t + 4 * RT_PAGE), *pdpt_dm = rt_table(t + 5 * RT_PAGE);

	memset(pml4, 0, RT_TABLES * RT_PAGE);
	pml4[0] = (t + RT_PAGE) | RT_PTE;
	pdpt_lo[0] = (t + 2 * RT_PAGE) | RT_PTE;
	pd_lo[0] = 0 | RT_PTE | PTE_PS;
	pml4[511] = (t + 3 * RT_PAGE) | RT_PTE;
	pdpt_hi[510] = (t + 4 * RT_PAGE) | RT_PTE;
	/* KERNEL_VMA + 2 MiB is entry 1 of the last-but-one gigabyte. */
	for (uint64_t off = 0; off < image; off += MiB(2))
		pd_k[1 + off / MiB(2)] = (base + off) | RT_PTE | PTE_PS;
	pml4[256] = (t + 5 * RT_PAGE) | RT_PTE;
	for (uint64_t g = 0; g < 4; g++) {
		uint64_t *pd = rt_table(t + (6 + g) * RT_PAGE);

		pdpt_dm[g] = (t + (6 + g) * RT_PAGE) | RT_PTE;
		for (uint64_t i = 0; i < 512; i++) {
			uint64_t pa = g * GiB(1) + i * MiB(2);

			if (rt_owned(pa, pa + MiB(2)))
				pd[i] = pa | RT_PTE | PTE_PS;
		}
	}
	return t;
}

/* The description as lwkctl would write it, at @at (RT_FDT_ROOM bytes). */
static void rt_write_fdt(const void *fdt, void *at, uint64_t base, uint64_t image, uint64_t extra,
			 uint64_t extra_size, bool bare)
{
	fdt64_t kernel[2] = { cpu_to_fdt64(base), cpu_to_fdt64(image) };
	fdt64_t reserved[2] = { cpu_to_fdt64(extra), cpu_to_fdt64(extra_size) };
	int err = fdt_open_into(fdt, at, RT_FDT_ROOM);

	if (!err)
		err = fdt_setprop(at, 0, LWK_BD_KERNEL, kernel, sizeof(kernel));
	if (!err)
		err = fdt_appendprop(at, 0, LWK_BD_RESERVED, reserved, sizeof(reserved));
	if (!err && bare)
		err = fdt_delprop(at, 0, LWK_BD_UART_PORT);
	if (!err && bare)
		err = fdt_delprop(at, 0, LWK_BD_EXIT_PORT);
	if (!err)
		err = fdt_pack(at);
	if (err)
		rt_fail(fdt_strerror(err));
}

void pc_relocate_test(const void *fdt)
{
	char v[32], err[160];
	uint64_t base, image, t, fdt_pa, cr3;
	const char *args, *comma;
	bool bare;
	int chosen;

	chosen = fdt_path_offset(fdt, LWK_BD_CHOSEN);
	args = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, LWK_BD_BOOTARGS, NULL);
	if (!args || !cmdline_get(args, "lwk.test-relocate", v, sizeof(v)))
		return;
	comma = strchr(v, ',');
	bare = comma && !strcmp(comma, ",bare");
	if (!cmdline_parse_u64(v, comma ? (size_t)(comma - v) : strlen(v), GiB(4), &base))
		rt_fail("lwk.test-relocate=BASE[,bare]: BASE is not a number below 4 GiB");
	if (bootdesc_parse(fdt, LWK_BD_MAX_SIZE, &rt_bd, err, sizeof(err)))
		rt_fail(err);
	image = ALIGN_UP((uint64_t)(__kernel_end - __kernel_start), RT_PAGE);
	t = base + image;
	fdt_pa = t + RT_TABLES * RT_PAGE;
	rt_check_room(base, fdt_pa + RT_FDT_ROOM);

	memcpy((void *)(DIRECT_MAP + base), __kernel_start, __bss_start - __kernel_start);
	memset((void *)(DIRECT_MAP + base + (__bss_start - __kernel_start)), 0,
	       __kernel_end - __bss_start);
	cr3 = rt_build_tables(t, base, image);
	rt_write_fdt(fdt, (void *)(DIRECT_MAP + fdt_pa), base, image, t,
		     RT_TABLES * RT_PAGE + RT_FDT_ROOM, bare);
	log_info("relocate test: image copied to 0x%llx, entering partition_entry(0x%llx)",
		 (unsigned long long)base, (unsigned long long)fdt_pa);
	/* The code running now is at the same virtual address in the copy. */
	__asm__ volatile("mov %0, %%cr3\n\t"
			 "mov %1, %%rsp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "call *%2\n\t"
			 "ud2"
			 :
			 : "r"(cr3), "r"((uint64_t)boot_stack_top), "r"((uint64_t)partition_entry),
			   "D"(fdt_pa)
			 : "memory");
	__builtin_unreachable();
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The partition loader: what lwkctl boot writes into the memory lwk.ko
 * reserved before it starts the boot core (uapi/lwk/lwkdev.h, steps 3-4).
 * Pure logic over physical memory reached through a callback, so the host
 * unit tests run it over a buffer.
 *
 * The low range (K = a 2 MiB-aligned base below 4 GiB, in one reserved
 * range at least pload_low_min() long):
 *
 *   K                    the kernel image: PT_LOAD segments at
 *                        K + (p_paddr - 2 MiB), bss zeroed
 *   K + span             boot page tables, 4 KiB each, PML4 first
 *   tables + n * 4 KiB   the boot description (FDT), PLOAD_FDT_SIZE
 *   fdt + PLOAD_FDT_SIZE the channel, PLOAD_CHAN_SIZE (zeroed; the LWK
 *                        lays it out)
 *
 * The page tables (2 MiB leaves): [0, 2 MiB) identity (the trampoline page
 * runs there while paging comes on); KERNEL_VMA + 2 MiB + x -> K + x over
 * the image rounded up to 2 MiB; DIRECT_MAP + pa -> pa over every range.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <uapi/lwk/lwkdev.h>

#define PLOAD_LINK_PHYS 0x200000ull /* the image's link address, physical */
#define PLOAD_KERNEL_VMA 0xffffffff80000000ull
#define PLOAD_DIRECT_MAP 0xffff800000000000ull
#define PLOAD_FDT_SIZE 0x10000ull   /* LWK_BD_MAX_SIZE */
#define PLOAD_CHAN_SIZE 0x400000ull /* 4 MiB, as in VM mode */
#define PLOAD_GDT_KERNEL_CODE 0x08  /* arch/x86.h GDT_KERNEL_CODE */

/* The kernel image, checked and its symbols looked up (pload_parse). */
struct pload_kernel {
	const uint8_t *elf;
	size_t len;
	uint64_t span; /* bytes from PLOAD_LINK_PHYS to the end of the last
			* PT_LOAD's memory, 4 KiB-rounded */
	uint64_t tramp_start, tramp_long, tramp_end; /* virtual addresses */
	uint64_t entry, stack_top;		     /* partition_entry, boot_stack_top */
};

struct pload_opts {
	const char *bootargs;	      /* NULL: none */
	uint64_t wallclock_offset_ns; /* CLOCK_REALTIME - TSC time, at TSC 0 */
};

/* Writable physical memory: [pa, pa + len) as a pointer, NULL if it is
 * not reachable. */
struct pload_mem {
	void *(*phys)(void *ctx, uint64_t pa, uint64_t len);
	void *ctx;
};

/* Where everything went (pload_place, then pload_load). */
struct pload_layout {
	uint64_t base;		       /* K */
	uint64_t tables, ntables;      /* the page tables' area, in 4 KiB pages */
	uint64_t pml4;		       /* == tables */
	uint64_t fdt;		       /* the boot description */
	uint64_t chan_base, chan_size; /* the channel */
	uint64_t end;		       /* K + pload_low_min() */
};

/* Check that @elf is an LWK kernel image this loader can place (x86_64,
 * linked at 2 MiB physical, the partition-mode symbols in .symtab).
 * -errno and a one-line reason naming what is wrong. */
int pload_parse(const void *elf, size_t len, struct pload_kernel *k, char *err, size_t errlen);
/* Bytes of the one range below 4 GiB the loader needs for @k with @mem
 * bytes of partition memory (LWK_IOC_RESERVE's low_min), 2 MiB-rounded. */
uint64_t pload_low_min(const struct pload_kernel *k, uint64_t mem);
/* Choose K among @info's ranges and lay the low range out. */
int pload_place(const struct pload_kernel *k, const struct lwk_ioc_info *info,
		struct pload_layout *l, char *err, size_t errlen);
/* Write the image, the page tables, the boot description and a clear
 * channel into memory at @l, and the trampoline page (code and struct
 * lwk_trampoline_params for info->trampoline) into @page. */
int pload_load(const struct pload_kernel *k, const struct lwk_ioc_info *info,
	       const struct pload_opts *o, const struct pload_mem *m, const struct pload_layout *l,
	       uint8_t page[LWK_DEV_PAGE], char *err, size_t errlen);
/* The wall-clock offset for a TSC at @tsc_khz that reads @tsc when
 * CLOCK_REALTIME reads @realtime_ns. */
uint64_t pload_wallclock_offset(uint64_t realtime_ns, uint64_t tsc, uint32_t tsc_khz);

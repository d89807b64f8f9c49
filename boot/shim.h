/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The boot-description shim: when a boot loader (GRUB via multiboot2, or
 * QEMU's -kernel via PVH) starts the kernel, the shim turns what the loader
 * handed over into the same FDT boot description that lwkctl writes in
 * partition mode. It is pure logic over memory reached through env->phys(),
 * so it runs unchanged in host unit tests.
 */
#pragma once

#include <lwk/types.h>

struct shim_env {
	/* Map [pa, pa + len) for reading; NULL if it is not reachable. */
	const void *(*phys)(void *ctx, uint64_t pa, uint64_t len);
	void *ctx;
	uint32_t boot_apic_id; /* APIC ID of the core running the shim */
	uint64_t tsc_hz;       /* measured by the caller */
	uint64_t kernel_start; /* physical extent of the kernel image, */
	uint64_t kernel_end;   /* written out as lwk,kernel */
	uint32_t uart_port;    /* the console's 16550 port, 0: none (lwk,uart-port) */
	uint32_t exit_port;    /* QEMU's isa-debug-exit port, 0: none (lwk,exit-port) */
	/* The CMOS real-time clock, through the arch layer (ports 0x70/0x71
	 * on x86): the byte in register @reg. NULL: there is none, and the
	 * description carries no wall clock (the kernel's CLOCK_REALTIME
	 * then counts from 1970). */
	uint8_t (*cmos_read)(void *ctx, uint8_t reg);
	/* The TSC now, which CLOCK_MONOTONIC counts; needed with cmos_read. */
	uint64_t (*cycles)(void *ctx);
	/* A problem that does not stop the boot (an unreadable RTC); NULL:
	 * keep quiet. */
	void (*warn)(void *ctx, const char *msg);
};

#define SHIM_TRAMPOLINE_SIZE 0x1000

/*
 * Build the boot description into @fdt (@fdt_size bytes). Returns 0, or a
 * negative errno with a one-line reason in @err that names what is wrong
 * ("multiboot2: tag at offset 0x48 runs past the end (size 0x1000)").
 *
 * Command-line keys the shim itself honours:
 *   lwk.cpus=ID,ID,...  use exactly these APIC IDs (first = boot core must be
 *                       the running one) instead of every enabled MADT entry.
 *   lwk.channel=BASE,SIZE  the channel area of a VM partition (bytes,
 *                       decimal or 0x hex): written out as lwk,channel and
 *                       reserved; refused unless it is whole pages of RAM
 *                       above 1 MiB clear of the kernel and the modules.
 * The wall clock (lwk,wallclock-offset-ns) comes from env->cmos_read: the
 * RTC read against the TSC. Without a readable RTC it is left out.
 * A multiboot2 module whose command line is "bootdesc" is taken as the boot
 * description itself (after a size and header check) instead of building one.
 */
int shim_from_multiboot2(const struct shim_env *env, uint64_t mbi_pa, void *fdt, size_t fdt_size,
			 char *err, size_t errlen);
int shim_from_pvh(const struct shim_env *env, uint64_t start_info_pa, void *fdt, size_t fdt_size,
		  char *err, size_t errlen);

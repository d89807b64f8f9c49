// SPDX-License-Identifier: GPL-2.0-only
/*
 * partition_entry: how lwkctl and lwk.ko hand over when the kernel boots
 * beside Linux (the protocol is uapi/lwk/lwkdev.h's top comment). The boot
 * core arrives from the trampoline in 64-bit mode, interrupts off, on
 * boot_stack_top and on lwkctl's page tables:
 *   [0, 2 MiB) identity;
 *   KERNEL_VMA + 2 MiB + x -> K + x over the whole image (bss included,
 *     cleared), writable and executable;
 *   DIRECT_MAP + pa -> pa, writable, for every lwk,memory range.
 * The boot description's physical address comes as the argument; it lies
 * in lwk,memory and in lwk,reserved. lwk,kernel says where K is.
 *
 * Nothing here touches an I/O port: there is no console and no exit port
 * until the description names them, the TSC rate is lwk,tsc-hz, and the
 * wall clock is lwk,wallclock-offset-ns.
 */
#include <libfdt.h>
#include <string.h>
#include <lwk/arch.h>
#include <lwk/kmain.h>
#include <lwk/log.h>
#include <arch/boot.h>
#include <uapi/lwk/bootdesc.h>
#include "partition.h"

extern char boot_stack_top[];

/* The kernel keeps its own copy: the one lwkctl wrote lies in memory that
 * the kernel hands out once it runs. */
static uint8_t partition_fdt[LWK_BD_MAX_SIZE] __aligned(8);

static __noreturn void partition_fail(const char *what)
{
	/* No console yet, and the channel is not laid out: the line stays in
	 * the kernel's log, and lwkctl sees no READY. */
	log_raw("lwk: %s\nlwk: boot failed; stopping\n", what);
	arch_exit(ARCH_EXIT_FAIL);
}

/* lwk,kernel's base: where the image was loaded. Absent, it runs at its
 * link address. */
int partition_kernel_base(const void *fdt, uint64_t *base)
{
	int len;
	const fdt64_t *p = fdt_getprop(fdt, 0, LWK_BD_KERNEL, &len);

	if (!p)
		return 1;
	if (len != 2 * (int)sizeof(fdt64_t))
		return -1;
	*base = fdt64_to_cpu(p[0]);
	return 0;
}

__noreturn void partition_entry(uint64_t bootdesc_pa)
{
	const void *fdt = arch_phys_to_virt(pa_make(bootdesc_pa));
	uint64_t base;
	int ret;

	/* Faults are reported (into the log) from here on; libfdt's stack
	 * protector needs the per-CPU block this sets up. */
	arch_boot_cpu_early_init((uint64_t)boot_stack_top);
	if (fdt_magic(fdt) != FDT_MAGIC || fdt_totalsize(fdt) > sizeof(partition_fdt))
		partition_fail("partition_entry: no boot description (FDT) of at most 64 KiB at "
			       "its argument");
	/* Before anything turns an image address into a physical one. */
	ret = partition_kernel_base(fdt, &base);
	if (ret < 0 || (ret == 0 && arch_kernel_set_phys_base(base)))
		partition_fail("boot description: lwk,kernel is malformed or its base is not a "
			       "2 MiB aligned address below 4 GiB");
	memcpy(partition_fdt, fdt, fdt_totalsize(fdt));
	kmain(partition_fdt, sizeof(partition_fdt));
}

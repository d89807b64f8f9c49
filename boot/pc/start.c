// SPDX-License-Identifier: GPL-2.0-only
/*
 * boot_main: the C side of entry.S. Takes the machine (console, exit port),
 * sets up the boot core enough to report faults, measures the TSC, lets
 * the shim turn the loader's handover into a boot description, and hands
 * that to the kernel proper. While this runs, the low 4 GiB are mapped 1:1
 * and at DIRECT_MAP by entry.S's tables, and the image runs at its link
 * address (which the description then gives as lwk,kernel).
 */
#include <lwk/arch.h>
#include <arch/boot.h>
#include <lwk/kmain.h>
#include <uapi/lwk/bootdesc.h>
#include <stdio.h>
#include <string.h>
#include "shim.h"
#include "relocate_test.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define PVH_START_MAGIC 0x336ec578u

extern char __kernel_start[], __kernel_end[];
extern char boot_stack_top[];

static uint8_t bootdesc_buf[LWK_BD_MAX_SIZE] __aligned(8);

static const void *boot_phys(void *ctx, uint64_t pa, uint64_t len)
{
	if (pa + len < pa || pa + len > GiB(4))
		return NULL;
	return (const void *)(uintptr_t)(DIRECT_MAP + pa);
}

static uint8_t boot_cmos_read(void *ctx, uint8_t reg)
{
	return arch_cmos_read(reg);
}

static uint64_t boot_cycles(void *ctx)
{
	return arch_cycles();
}

static void boot_warn(void *ctx, const char *msg)
{
	arch_console_write("lwk: ", 5);
	arch_console_write(msg, strlen(msg));
	arch_console_write("\n", 1);
}

void boot_main(uint32_t magic, uint32_t info);
void boot_main(uint32_t magic, uint32_t info)
{
	char err[160];
	struct shim_env env = {
		.phys = boot_phys,
		.kernel_start = pa_addr(arch_virt_to_phys(__kernel_start)),
		.kernel_end = pa_addr(arch_virt_to_phys(__kernel_end)),
		.uart_port = 0x3f8, /* COM1, as arch_pc_machine_init */
		.exit_port = 0xf4,  /* QEMU's isa-debug-exit */
		.cmos_read = boot_cmos_read,
		.cycles = boot_cycles,
		.warn = boot_warn,
	};
	int rc;

	arch_pc_machine_init();
	env.boot_apic_id = arch_boot_cpu_early_init((uint64_t)boot_stack_top);
	env.tsc_hz = arch_tsc_calibrate();

	if (magic == MB2_BOOTLOADER_MAGIC)
		rc = shim_from_multiboot2(&env, info, bootdesc_buf, sizeof(bootdesc_buf), err,
					  sizeof(err));
	else if (magic == PVH_START_MAGIC)
		rc =
		    shim_from_pvh(&env, info, bootdesc_buf, sizeof(bootdesc_buf), err, sizeof(err));
	else
		rc = -1, snprintf(err, sizeof(err),
				  "lwk: started by an unknown loader (magic 0x%x); boot with GRUB "
				  "multiboot2 or QEMU -kernel (PVH)",
				  magic);
	if (rc) {
		arch_console_write("lwk: ", 5);
		arch_console_write(err, strlen(err));
		arch_console_write("\nlwk: boot failed; stopping\n", 28);
		arch_exit(ARCH_EXIT_FAIL);
	}
	if (pc_relocate_test) /* the ktest image only */
		pc_relocate_test(bootdesc_buf);
	kmain(bootdesc_buf, sizeof(bootdesc_buf));
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * boot_main: the C side of entry.S. Sets up the boot core enough to report
 * faults, measures the TSC, lets the shim turn the loader's handover into a
 * boot description, and hands that to the kernel proper. While this runs,
 * the low 4 GiB are mapped 1:1 and at DIRECT_MAP by entry.S's tables.
 */
#include <arch/arch.h>
#include <arch/x86.h>
#include <arch/trap.h>
#include <arch/tsc.h>
#include <lwk/cpu.h>
#include <lwk/kmain.h>
#include <uapi/lwk/bootdesc.h>
#include <stdio.h>
#include <string.h>
#include "shim.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define PVH_START_MAGIC 0x336ec578u

extern char __kernel_start[], __kernel_end[];
extern char boot_stack_top[];

static uint8_t bootdesc_buf[LWK_BD_MAX_SIZE] __aligned(8);
static uint8_t boot_ist[IST_COUNT][8192] __aligned(16);

static const void *boot_phys(void *ctx, uint64_t pa, uint64_t len)
{
	if (pa + len < pa || pa + len > GiB(4))
		return NULL;
	return (const void *)(uintptr_t)(DIRECT_MAP + pa);
}

/* The CMOS RTC: index at port 0x70 (bit 7 clear: NMIs stay enabled),
 * data at 0x71. */
static uint8_t boot_cmos_read(void *ctx, uint8_t reg)
{
	outb(0x70, reg & 0x7f);
	return inb(0x71);
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

static void boot_cpu_early(void)
{
	struct cpu *c = &cpus[0];
	const uint64_t ist[IST_COUNT] = { (uint64_t)boot_ist[1], (uint64_t)boot_ist[2],
					  (uint64_t)boot_ist[2] + sizeof(boot_ist[2]) };

	c->id = 0;
	c->apic_id = cpuid(1, 0).ebx >> 24;
	/* Leaf 0xB has the full x2APIC ID; some parts list the leaf but leave
	 * it empty (ebx == 0), so only trust it when it is filled in. */
	if (cpuid(0, 0).eax >= 0xb && cpuid(0xb, 0).ebx)
		c->apic_id = cpuid(0xb, 0).edx;
	c->kstack_top = (uint64_t)boot_stack_top;
	idt_init();
	cpu_init(c, ist);
}

void boot_main(uint32_t magic, uint32_t info);
void boot_main(uint32_t magic, uint32_t info)
{
	char err[160];
	struct shim_env env = {
		.phys = boot_phys,
		.kernel_start = (uint64_t)__kernel_start - KERNEL_VMA,
		.kernel_end = (uint64_t)__kernel_end - KERNEL_VMA,
		.cmos_read = boot_cmos_read,
		.cycles = boot_cycles,
		.warn = boot_warn,
	};
	int rc;

	arch_console_init();
	boot_cpu_early();
	env.boot_apic_id = cpus[0].apic_id;
	env.tsc_hz = tsc_measure_hz();
	tsc_set_hz(env.tsc_hz);

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
	kmain(bootdesc_buf, sizeof(bootdesc_buf));
}

// SPDX-License-Identifier: GPL-2.0-only
/* The x86_64 side of the PC boot path (arch/boot.h): the boot core's
 * early setup, the TSC's calibration and the CMOS clock. */
#include <lwk/arch.h>
#include <arch/boot.h>
#include <arch/x86.h>
#include <arch/cpu_setup.h>
#include <arch/trap.h>
#include <arch/tsc.h>
#include <lwk/cpu.h>

static uint8_t boot_ist[IST_COUNT][8192] __aligned(16);

static uint32_t boot_apic_id(void)
{
	/* Leaf 0xB has the full x2APIC ID; some parts list the leaf but leave
	 * it empty (ebx == 0), so only trust it when it is filled in. */
	if (cpuid(0, 0).eax >= 0xb && cpuid(0xb, 0).ebx)
		return cpuid(0xb, 0).edx;
	return cpuid(1, 0).ebx >> 24;
}

uint32_t arch_boot_cpu_early_init(uint64_t stack_top)
{
	struct cpu *c = &cpus[0];
	const uint64_t ist[IST_COUNT] = { (uint64_t)boot_ist[1], (uint64_t)boot_ist[2],
					  (uint64_t)boot_ist[2] + sizeof(boot_ist[2]) };

	c->id = 0;
	c->apic_id = boot_apic_id();
	c->kstack_top = stack_top;
	idt_init();
	cpu_init(c, ist);
	return c->apic_id;
}

uint64_t arch_tsc_calibrate(void)
{
	uint64_t hz = tsc_measure_hz();

	tsc_set_hz(hz);
	return hz;
}

/* Index at port 0x70 (bit 7 clear: NMIs stay enabled), data at 0x71. */
uint8_t arch_cmos_read(uint8_t reg)
{
	outb(0x70, reg & 0x7f);
	return inb(0x71);
}

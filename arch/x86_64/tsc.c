// SPDX-License-Identifier: GPL-2.0-only
/*
 * TSC frequency, in order of trust: CPUID leaf 0x15 (crystal ratio), the
 * hypervisor timing leaf 0x40000010, CPUID leaf 0x16 (base MHz), and last a
 * calibration against PIT channel 2. The boot shim measures it and the
 * kernel proper takes it from the boot description.
 */
#include <lwk/arch.h>
#include <arch/x86.h>
#include <arch/tsc.h>

static uint64_t tsc_hz;

static uint64_t tsc_from_cpuid_15(void)
{
	struct cpuid_regs r;

	if (cpuid(0, 0).eax < 0x15)
		return 0;
	r = cpuid(0x15, 0); /* eax: denominator, ebx: numerator, ecx: crystal Hz */
	if (!r.eax || !r.ebx || !r.ecx)
		return 0;
	return (uint64_t)r.ecx * r.ebx / r.eax;
}

static uint64_t tsc_from_hypervisor(void)
{
	if (!(cpuid(1, 0).ecx & (1u << 31)))
		return 0;
	if (cpuid(0x40000000, 0).eax < 0x40000010)
		return 0;
	return (uint64_t)cpuid(0x40000010, 0).eax * 1000; /* kHz */
}

static uint64_t tsc_from_cpuid_16(void)
{
	if (cpuid(0, 0).eax < 0x16)
		return 0;
	return (uint64_t)(cpuid(0x16, 0).eax & 0xffff) * 1000000;
}

/* Count TSC ticks while PIT channel 2 counts down 10 ms (mode 0, gate via
 * port 0x61; the output bit rises when the count reaches zero). */
static uint64_t tsc_from_pit(void)
{
	const uint32_t pit_hz = 1193182, ticks = pit_hz / 100;
	uint64_t start, end;
	uint8_t gate = (inb(0x61) & ~0x02) | 0x01;

	outb(0x61, gate & ~0x01);
	outb(0x43, 0xb0); /* channel 2, lo/hi byte, mode 0, binary */
	outb(0x42, ticks & 0xff);
	outb(0x42, ticks >> 8);
	outb(0x61, gate);
	start = arch_cycles();
	for (uint64_t spins = 0; !(inb(0x61) & 0x20); spins++)
		if (spins > 100000000) /* no PIT: give up rather than hang */
			return 0;
	end = arch_cycles();
	return (end - start) * 100;
}

uint64_t tsc_measure_hz(void)
{
	uint64_t hz = tsc_from_cpuid_15();

	if (!hz)
		hz = tsc_from_hypervisor();
	if (!hz)
		hz = tsc_from_cpuid_16();
	if (!hz)
		hz = tsc_from_pit();
	return hz;
}

void tsc_set_hz(uint64_t hz)
{
	tsc_hz = hz;
}

uint64_t arch_tsc_hz(void)
{
	return tsc_hz;
}

void arch_udelay(uint64_t us)
{
	uint64_t start = arch_cycles();
	uint64_t wait = tsc_hz / 1000000 * us;

	while (arch_cycles() - start < wait)
		arch_pause();
}

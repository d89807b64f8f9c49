// SPDX-License-Identifier: GPL-2.0-only
/*
 * The local APIC delivers IPIs and nothing else: the timer, LINT0/LINT1 and
 * the performance counter LVTs are masked, and, where the kernel owns the
 * machine (the PC loader path), the legacy 8259 PICs are remapped out of
 * the exception range and masked. No periodic tick exists.
 */
#include <lwk/arch.h>
#include <arch/x86.h>
#include <arch/boot.h>
#include <arch/lapic.h>
#include <arch/mmu.h>
#include <arch/trap.h>
#include <lwk/errno.h>
#include <lwk/log.h>
#include <lwk/panic.h>

#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2APIC (1ull << 10)

/* Register offsets (xAPIC MMIO); x2APIC MSR = 0x800 + offset / 16. */
#define REG_ID 0x20
#define REG_TPR 0x80
#define REG_EOI 0xb0
#define REG_SVR 0xf0
#define REG_ESR 0x280
#define REG_ICR_LO 0x300
#define REG_ICR_HI 0x310
#define REG_LVT_TIMER 0x320
#define REG_LVT_PERF 0x340
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERROR 0x370
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CURRENT 0x390
#define REG_TIMER_DIVIDE 0x3e0
#define TIMER_DIVIDE_1 0xb
#define LVT_TSC_DEADLINE (2u << 17)
#define MSR_TSC_DEADLINE 0x6e0
#define CALIBRATE_US 2000
#define LVT_MASKED (1u << 16)
#define SVR_ENABLE (1u << 8)

#define ICR_FIXED 0x000
#define ICR_NMI 0x400
#define ICR_INIT 0x500
#define ICR_STARTUP 0x600
#define ICR_PENDING (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)

static volatile uint32_t *xapic_regs;
static bool x2apic;
static bool tsc_deadline;   /* the timer takes a TSC value to fire at */
static uint64_t timer_mult; /* else: its counts per TSC cycle, 32.32 fixed point */

static uint32_t lapic_read(uint32_t reg)
{
	if (x2apic)
		return rdmsr(0x800 + reg / 16);
	return xapic_regs[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + reg / 16, v);
	else
		xapic_regs[reg / 4] = v;
}

static void pic_disable(void)
{
	static const uint8_t init[][2] = {
		{ 0x21, 0xff }, { 0xa1, 0xff }, /* mask while reprogramming */
		{ 0x20, 0x11 }, { 0xa0, 0x11 }, /* ICW1: init, expect ICW4 */
		{ 0x21, 0x20 }, { 0xa1, 0x28 }, /* ICW2: vectors 0x20/0x28 */
		{ 0x21, 0x04 }, { 0xa1, 0x02 }, /* ICW3: cascade */
		{ 0x21, 0x01 }, { 0xa1, 0x01 }, /* ICW4: 8086 mode */
		{ 0x21, 0xff }, { 0xa1, 0xff }, /* mask everything */
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(init); i++)
		outb(init[i][0], init[i][1]);
}

/* How fast the one-shot timer counts, against the TSC. */
static void timer_calibrate(void)
{
	uint64_t t0, t1;
	uint32_t left;

	lapic_write(REG_TIMER_DIVIDE, TIMER_DIVIDE_1);
	lapic_write(REG_LVT_TIMER, LVT_MASKED);
	/* The TSC window lies inside the timer's, so the rate comes out high
	 * if anything: a timer that fires late, never early. */
	lapic_write(REG_TIMER_INIT, 0xffffffffu);
	t0 = arch_cycles();
	arch_udelay(CALIBRATE_US);
	t1 = arch_cycles();
	left = lapic_read(REG_TIMER_CURRENT);
	lapic_write(REG_TIMER_INIT, 0);
	timer_mult = ((uint64_t)(0xffffffffu - left) << 32) / (t1 - t0);
	if (!timer_mult)
		timer_mult = 1; /* a timer that barely counts: waits end early, re-armed */
}

static void timer_setup(void)
{
	tsc_deadline = cpuid(1, 0).ecx & (1u << 24);
	if (!tsc_deadline)
		timer_calibrate();
	log_info("lapic: timer in %s mode%s", tsc_deadline ? "TSC-deadline" : "one-shot",
		 tsc_deadline ? "" : ", calibrated against the TSC");
	if (!tsc_deadline)
		log_info("lapic: timer counts at %llu kHz",
			 (unsigned long long)((arch_tsc_hz() / 1000 * timer_mult) >> 32));
}

void lapic_timer_arm(uint64_t deadline)
{
	uint64_t now, count;

	if (tsc_deadline) {
		lapic_write(REG_LVT_TIMER, VEC_TIMER | LVT_TSC_DEADLINE);
		/* The LVT write (MMIO in xAPIC mode) must land before the MSR
		 * write, or the deadline may be dropped (SDM 10.5.4.1). */
		__asm__ volatile("mfence" ::: "memory");
		wrmsr(MSR_TSC_DEADLINE, deadline ? deadline : 1);
		return;
	}
	now = arch_cycles();
	count =
	    deadline > now ? (uint64_t)((unsigned __int128)(deadline - now) * timer_mult >> 32) : 0;
	/* A wait too long for 32 bits ends early; the idle loop arms again. */
	count = MAX(1, MIN(count, 0xffffffffull));
	lapic_write(REG_LVT_TIMER, VEC_TIMER);
	lapic_write(REG_TIMER_DIVIDE, TIMER_DIVIDE_1);
	lapic_write(REG_TIMER_INIT, (uint32_t)count);
}

void lapic_timer_disarm(void)
{
	if (tsc_deadline)
		wrmsr(MSR_TSC_DEADLINE, 0);
	else
		lapic_write(REG_TIMER_INIT, 0);
	lapic_write(REG_LVT_TIMER, LVT_MASKED);
}

void lapic_init(void)
{
	bool first = !xapic_regs && !x2apic;

	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!xapic_regs && !x2apic) { /* first core: choose the mode */
		/* Beside Linux, keep the mode Linux runs the APICs in: INIT
		 * does not change it, and the cores go back to Linux. */
		x2apic = (base & APIC_BASE_X2APIC) ||
			 (arch_pc_machine_owned() && (cpuid(1, 0).ecx & (1u << 21)));
		if (!x2apic) {
			xapic_regs = mmu_map_mmio(pa_make(base & ~0xfffull), 4096);
			if (!xapic_regs)
				panic("lapic: cannot map the xAPIC page at 0x%llx",
				      (unsigned long long)(base & ~0xfffull));
		}
		/* The PICs belong to us only when we own the machine (VM
		 * mode, bare metal); in partition mode Linux keeps them. */
		if (arch_pc_machine_owned())
			pic_disable();
		log_info("lapic: %s mode", x2apic ? "x2APIC" : "xAPIC");
	}
	base |= APIC_BASE_ENABLE;
	if (x2apic)
		base |= APIC_BASE_X2APIC;
	wrmsr(MSR_APIC_BASE, base);

	lapic_write(REG_TPR, 0);
	lapic_write(REG_LVT_TIMER, LVT_MASKED);
	lapic_write(REG_LVT_PERF, LVT_MASKED);
	lapic_write(REG_LVT_LINT0, LVT_MASKED);
	lapic_write(REG_LVT_LINT1, LVT_MASKED);
	lapic_write(REG_LVT_ERROR, VEC_APIC_ERROR);
	lapic_write(REG_ESR, 0);
	lapic_write(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_eoi();
	if (first)
		timer_setup();
}

bool lapic_x2apic(void)
{
	return x2apic;
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(REG_ID);

	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(REG_EOI, 0);
}

uint32_t lapic_read_esr(void)
{
	lapic_write(REG_ESR, 0);
	return lapic_read(REG_ESR);
}

static int icr_wait_idle(void)
{
	if (x2apic) /* x2APIC has no delivery status to wait on */
		return 0;
	for (int i = 0; i < 1000000; i++) {
		if (!(lapic_read(REG_ICR_LO) & ICR_PENDING))
			return 0;
		arch_pause();
	}
	return -ETIMEDOUT;
}

/* Interrupts are off around the two xAPIC writes, so that an interrupt
 * handler sending its own IPI cannot land between them. */
static int icr_send(uint32_t apic_id, uint32_t low)
{
	uint64_t flags = arch_irq_save();
	int err = icr_wait_idle();

	if (!err && x2apic) {
		/* WRMSR to the ICR does not order earlier stores: fence, so
		 * the target sees what we wrote before it was woken. */
		__asm__ volatile("mfence; lfence" ::: "memory");
		wrmsr(0x830, ((uint64_t)apic_id << 32) | low);
	} else if (!err) {
		lapic_write(REG_ICR_HI, apic_id << 24);
		lapic_write(REG_ICR_LO, low);
		err = icr_wait_idle();
	}
	arch_irq_restore(flags);
	return err;
}

int lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	return icr_send(apic_id, ICR_FIXED | ICR_ASSERT | vector);
}

int lapic_send_init(uint32_t apic_id)
{
	return icr_send(apic_id, ICR_INIT | ICR_LEVEL | ICR_ASSERT);
}

/* The level-deassert half of INIT that pre-Pentium 4 parts need; newer
 * ones ignore it, x2APIC has no such mode. */
int lapic_send_init_deassert(uint32_t apic_id)
{
	return x2apic ? 0 : icr_send(apic_id, ICR_INIT | ICR_LEVEL);
}

int lapic_send_startup(uint32_t apic_id, uint8_t page)
{
	return icr_send(apic_id, ICR_STARTUP | ICR_ASSERT | page);
}

int lapic_send_nmi(uint32_t apic_id)
{
	return icr_send(apic_id, ICR_NMI | ICR_ASSERT);
}

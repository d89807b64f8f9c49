// SPDX-License-Identifier: GPL-2.0-only
/* Per-core CPU state: GDT with a TSS and IST stacks, per-CPU base registers,
 * and the protection features (NX, write-protected kernel text, SMEP,
 * SMAP) switched on in the same way on every core. */
#include <string.h>
#include <lwk/arch.h>
#include <arch/x86.h>
#include <arch/cpu_setup.h>
#include <arch/trap.h>
#include <arch/lapic.h>
#include <arch/tsc.h>
#include <lwk/cpu.h>
#include <lwk/log.h>

struct cpu cpus[LWK_BD_MAX_CPUS];
unsigned int ncpus;

/* Bits 32-47 of the TSS descriptor type word: present, 64-bit TSS (9). */
#define GDT_TSS_TYPE 0x89ull

static void gdt_fill(struct cpu *c)
{
	uint64_t base = (uint64_t)&c->arch.tss;
	uint64_t limit = sizeof(c->arch.tss) - 1;

	c->arch.gdt[0] = 0;
	c->arch.gdt[1] = 0x00af9a000000ffffull; /* 64-bit code, DPL 0 */
	c->arch.gdt[2] = 0x00cf92000000ffffull; /* data, DPL 0 */
	c->arch.gdt[3] = 0x00cff2000000ffffull; /* data, DPL 3 */
	c->arch.gdt[4] = 0x00affa000000ffffull; /* 64-bit code, DPL 3 */
	c->arch.gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (GDT_TSS_TYPE << 40) |
			 ((base >> 24 & 0xff) << 56);
	c->arch.gdt[6] = base >> 32;
}

static void gdt_load(struct cpu *c)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed desc = { sizeof(c->arch.gdt) - 1, (uint64_t)c->arch.gdt };

	__asm__ volatile("lgdt %0\n\t"
			 "mov %1, %%ds\n\t"
			 "mov %1, %%es\n\t"
			 "mov %1, %%ss\n\t"
			 "pushq %2\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "ltr %w3"
			 :
			 : "m"(desc), "r"((uint64_t)GDT_KERNEL_DATA), "i"(GDT_KERNEL_CODE),
			   "r"(GDT_TSS)
			 : "rax", "memory");
}

static void cpu_enable_features(void)
{
	struct cpuid_regs l7 = cpuid(7, 0);
	uint64_t cr4 = read_cr4() | CR4_PGE;

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(CR0_LONG_MODE);
	if (l7.ebx & (1u << 7))
		cr4 |= CR4_SMEP;
	if (l7.ebx & (1u << 20))
		cr4 |= CR4_SMAP;
	/* User code may then read and write its FS/GS bases itself, as on
	 * Linux >= 5.9; entry decides on SWAPGS by the CPL, never by the
	 * GS value, so a user GS base cannot fool it. */
	if (l7.ebx & 1u)
		cr4 |= CR4_FSGSBASE;
	write_cr4(cr4);
}

/* Set up @c as the running core's per-CPU block. @stack_base is the low end
 * of its kernel stack; each IST stack is its own frame above it. */
void cpu_init(struct cpu *c, const uint64_t ist_top[IST_COUNT])
{
	/* Per-CPU base first: anything below may fault, and the fault report
	 * asks which core it is on. */
	c->self = c;
	c->stack_canary = 0x4c574b2d43414e59ull ^ c->apic_id;
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	wrmsr(MSR_FS_BASE, (uint64_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	gdt_fill(c);
	memset(&c->arch.tss, 0, sizeof(c->arch.tss));
	c->arch.tss.iomap_base = sizeof(c->arch.tss);
	c->arch.tss.rsp[0] = c->kstack_top;
	for (int i = 0; i < IST_COUNT; i++) {
		c->arch.ist_top[i] = ist_top[i];
		c->arch.tss.ist[i] = ist_top[i];
	}
	gdt_load(c);
	idt_load();
	cpu_enable_features();
	arch_user_init_cpu();
}

/* GS base is per core and zero until cpu_init(): read it rather than trust
 * a global flag, so a core that faults early still reports sensibly. */
unsigned int arch_cpu_id(void)
{
	uint64_t gs = rdmsr(MSR_GS_BASE);

	return gs ? ((struct cpu *)gs)->id : 0;
}

static bool feature_on(const char *name, bool cpu_has, bool enabled)
{
	if (cpu_has && !enabled)
		log_err("%s is available but not enabled", name);
	return !cpu_has || enabled;
}

bool arch_cpu_features_ok(void)
{
	struct cpuid_regs l7 = cpuid(7, 0);
	bool ok = feature_on("NX", true, rdmsr(MSR_EFER) & EFER_NXE);

	ok &= feature_on("CR0.WP", true, read_cr0() & CR0_WP);
	ok &= feature_on("caches (CR0.CD/NW clear)", true, !(read_cr0() & (CR0_CD | CR0_NW)));
	ok &= feature_on("SMEP", l7.ebx & (1u << 7), read_cr4() & CR4_SMEP);
	ok &= feature_on("SMAP", l7.ebx & (1u << 20), read_cr4() & CR4_SMAP);
	return ok;
}

__noreturn void arch_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void arch_timer_arm(uint64_t deadline)
{
	lapic_timer_arm(deadline);
}

void arch_timer_disarm(void)
{
	lapic_timer_disarm();
}

uint32_t arch_boot_cpu_late_init(void)
{
	lapic_init();
	return lapic_id();
}

void arch_tsc_set_hz(uint64_t hz)
{
	tsc_set_hz(hz);
}

void arch_idle_halt(void)
{
	/* sti's one-instruction shadow covers hlt: an IPI that arrives after
	 * the caller's check still ends the halt. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

uint32_t arch_cpu_hw_id(void)
{
	return lapic_id();
}

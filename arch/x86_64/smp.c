// SPDX-License-Identifier: GPL-2.0-only
/*
 * Starting the other cores: INIT, then STARTUP twice, as the MP
 * specification asks, pointing at the real-mode trampoline. The trampoline
 * runs on its own small page tables: the page 1:1 (it executes there while
 * paging comes on) plus the kernel's upper half, so it can jump straight
 * into the kernel. The AP then switches to the kernel's own tables.
 */
#include <string.h>
#include <lwk/arch.h>
#include <arch/x86.h>
#include <arch/cpu_setup.h>
#include <arch/lapic.h>
#include <arch/mmu.h>
#include <arch/trap.h>
#include <lwk/cpu.h>
#include <lwk/errno.h>
#include <lwk/panic.h>
#include <lwk/pmem.h>
#include <uapi/arch/trampoline.h>

extern const char trampoline_start[], trampoline_long[], trampoline_end[];

static uint64_t tramp_pml4[512] __aligned(4096);
static uint64_t tramp_pdpt[512] __aligned(4096);
static uint64_t tramp_pd[512] __aligned(4096);

#define AP_STACK_SHIFT 16 /* 64 KiB: 32 KiB kernel stack, 3 x 8 KiB IST */

#include <lwk/kmain.h>

static __noreturn void ap_entry(struct cpu *c)
{
	uint64_t base = c->arch.stack_base;
	const uint64_t ist[IST_COUNT] = { base + KiB(40), base + KiB(48), base + KiB(56) };

	write_cr3(mmu_kernel_cr3());
	cpu_init(c, ist);
	lapic_init();
	kernel_ap_main(c);
	arch_halt_forever();
}

/* Page tables for the trampoline; they must sit below 4 GiB because the
 * trampoline loads CR3 while still in 32-bit mode. */
static int tramp_tables_build(uint32_t *cr3)
{
	uint64_t pml4_pa = pa_addr(arch_virt_to_phys(tramp_pml4));

	if (pml4_pa >= GiB(4))
		return -ERANGE;
	*cr3 = pml4_pa;
	if (tramp_pml4[0]) /* built once: an AP may still be running on them */
		return 0;
	memcpy(tramp_pml4, mmu_kernel_pml4(), sizeof(tramp_pml4));
	tramp_pd[0] = 0 | PTE_P | PTE_W | PTE_PS;
	tramp_pdpt[0] = pa_addr(arch_virt_to_phys(tramp_pd)) | PTE_P | PTE_W;
	tramp_pml4[0] = pa_addr(arch_virt_to_phys(tramp_pdpt)) | PTE_P | PTE_W;
	return 0;
}

static struct lwk_trampoline_params *tramp_prepare(paddr_t page, struct cpu *c, uint32_t cr3)
{
	uint8_t *va = arch_phys_to_virt(page);
	struct lwk_trampoline_params *p = (void *)(va + LWK_TRAMPOLINE_PARAMS_OFFSET);

	memcpy(va, trampoline_start, trampoline_end - trampoline_start);
	memset(p, 0, sizeof(*p));
	p->magic = LWK_TRAMPOLINE_MAGIC;
	p->cr3 = cr3;
	p->far_offset = pa_addr(page) + (trampoline_long - trampoline_start);
	p->far_selector = GDT_KERNEL_CODE;
	p->gdt[1] = 0x00af9a000000ffffull;
	p->gdt[2] = 0x00cf92000000ffffull;
	p->gdt_limit = sizeof(p->gdt) - 1;
	p->gdt_base = pa_addr(page) + LWK_TRAMPOLINE_PARAMS_OFFSET +
		      __builtin_offsetof(struct lwk_trampoline_params, gdt);
	p->entry = (uint64_t)ap_entry;
	p->stack_top = c->kstack_top;
	p->arg = (uint64_t)c;
	return p;
}

static bool wait_started(volatile uint32_t *flag, uint64_t us)
{
	uint64_t end = arch_cycles() + arch_tsc_hz() / 1000000 * us;

	while (arch_cycles() < end) {
		if (*flag)
			return true;
		arch_pause();
	}
	return *flag;
}

/* INIT every core at once and wait the 10 ms the MP specification asks
 * for once, not once per core: on a large node that is the difference
 * between 10 ms and a second. */
int arch_cpus_send_init(struct cpu *const *list, unsigned int n)
{
	int err = 0;

	for (unsigned int i = 0; i < n && !err; i++) {
		err = lapic_send_init(list[i]->apic_id);
		if (!err)
			err = lapic_send_init_deassert(list[i]->apic_id);
	}
	arch_udelay(10000);
	return err; /* an ICR that never drains: the local APIC is broken */
}

int arch_cpu_start(struct cpu *c, paddr_t trampoline, uint64_t timeout_us)
{
	struct lwk_trampoline_params *p;
	paddr_t stack;
	uint32_t cr3;
	int err;

	if (pa_addr(trampoline) >= MiB(1) || !IS_ALIGNED(pa_addr(trampoline), 4096))
		return -EINVAL;
	err = tramp_tables_build(&cr3);
	if (!err && !c->arch.stack_base) {
		err = pmem_alloc(AP_STACK_SHIFT, &stack);
		c->arch.stack_base = err ? 0 : (uint64_t)arch_phys_to_virt(stack);
	}
	if (err)
		return err;
	c->kstack_top = c->arch.stack_base + KiB(32);
	p = tramp_prepare(trampoline, c, cr3);

	/* STARTUP twice, 200 us apart, as the MP specification asks; the
	 * second is skipped when the first already worked. */
	for (int i = 0; i < 2 && !err && !p->started; i++) {
		err = lapic_send_startup(c->apic_id, pa_addr(trampoline) >> 12);
		wait_started(&p->started, i == 0 ? 200 : timeout_us);
	}
	if (err)
		return err;
	if (!p->started) {
		/* Park it again, so a late start cannot use the next AP's block. */
		arch_cpu_park(c);
		return -ETIMEDOUT;
	}
	return 0;
}

void arch_cpu_wake(struct cpu *c)
{
	lapic_send_ipi(c->apic_id, VEC_IPI_CALL);
}

int arch_notify_host(uint32_t vector, uint32_t hw_id)
{
	return lapic_send_ipi(hw_id, (uint8_t)vector);
}

/* NMI each LWK core by ID, never "all but self": in partition mode the
 * other cores of the machine are Linux's. */
void arch_stop_other_cpus(void)
{
	for_each_cpu (c)
		if (c->state == CPU_ONLINE && c != this_cpu())
			lapic_send_nmi(c->apic_id);
}

void arch_cpu_park(struct cpu *c)
{
	lapic_send_init(c->apic_id);
	lapic_send_init_deassert(c->apic_id);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The doorbell: an IPI from an LWK core to one Linux core, which wakes the
 * proxies sleeping in read() or poll() on /dev/lwk.
 *
 * Which vector. The LWK sends a fixed IPI with a vector number to an APIC
 * ID; Linux must route that vector to us, and no one else may use it.
 *  - A hard-coded "free" system vector is not free: Linux hands out every
 *    vector between FIRST_EXTERNAL_VECTOR and FIRST_SYSTEM_VECTOR to device
 *    interrupts at run time, and a module cannot install an IDT entry.
 *  - x86_platform_ipi_callback (X86_PLATFORM_IPI_VECTOR) is one global
 *    hook that other drivers (HP iLO, Hyper-V, ...) own; taking it would
 *    break them, and it is not exported either.
 *  - The x86 vector domain is the allocator Linux itself uses for MSIs and
 *    the IOAPIC. x86_vector_domain, __irq_domain_alloc_irqs and irqd_cfg
 *    are exported (GPL) on 6.1. Allocating one Linux IRQ straight from it
 *    gives us a vector Linux reserves for us on one CPU, dispatched through
 *    the normal interrupt path (common_interrupt -> vector_irq[] -> our
 *    handler, EOI by the lapic chip's ack), and freed cleanly on unload.
 * The IRQ is pinned to CPU 0 (which no partition may take) from its
 * allocation on (irq_alloc_info.mask), marked
 * no-balancing so neither irqbalance nor /proc/irq can move it, and its
 * affinity is set before it is started, so the vector is assigned on CPU 0
 * once and stays. The vector is read back with irqd_cfg(), the CPU from
 * the effective affinity, and both reported in LWK_IOC_INFO.
 */
#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <asm/apic.h>
#include <asm/hw_irq.h>
#include <asm/smp.h>
#include <asm/irqdomain.h>

#include "lwk.h"

static irqreturn_t lwk_doorbell_irq(int irq, void *data)
{
	atomic64_inc(&lwk.doorbells);
	wake_up_interruptible_all(&lwk.waitq);
	return IRQ_HANDLED;
}

static int lwk_doorbell_alloc(void)
{
	struct irq_alloc_info info;
	struct irq_data *irqd;
	struct irq_cfg *cfg;
	unsigned int cpu;
	int irq, ret;

	memset(&info, 0, sizeof(info));
	info.mask = cpumask_of(0);
	irq = __irq_domain_alloc_irqs(x86_vector_domain, -1, 1, NUMA_NO_NODE, &info, false, NULL);
	if (irq <= 0)
		return irq ? irq : -ENOSPC;
	irq_set_handler(irq, handle_edge_irq);
	irq_modify_status(irq, 0, IRQ_NO_BALANCING | IRQ_MOVE_PCNTXT);
	ret = irq_set_affinity(irq, cpumask_of(0));
	if (!ret)
		ret = request_irq(irq, lwk_doorbell_irq, IRQF_NOBALANCING, "lwk-doorbell", NULL);
	if (ret) {
		irq_dispose_mapping(irq);
		return ret;
	}
	/* cfg->dest_apicid is what Linux programs into MSIs and the IOAPIC: a
	 * logical destination under the xAPIC "flat" driver (1 << cpu). The
	 * LWK sends in physical destination mode, so it gets the physical
	 * APIC ID of the CPU the vector lives on. */
	irqd = irq_get_irq_data(irq);
	cfg = irqd_cfg(irqd);
	cpu = cpumask_first(irq_data_get_effective_affinity_mask(irqd));
	if (!cfg || !cfg->vector || cpu >= nr_cpu_ids) {
		free_irq(irq, NULL);
		irq_dispose_mapping(irq);
		return -ENXIO;
	}
	if (cpu != 0)
		pr_warn("lwk: doorbell vector landed on CPU %u, not CPU 0\n", cpu);
	lwk.doorbell_irq = irq;
	lwk.doorbell_cpu = cpu;
	lwk.doorbell_vector = cfg->vector;
	lwk.doorbell_apic_id = cpu_physical_id(cpu);
	return 0;
}

void lwk_doorbell_setup(void)
{
	int ret = lwk_doorbell_alloc();

	if (ret) {
		pr_warn("lwk: no doorbell vector (%d): proxies will poll the channel\n", ret);
		return;
	}
	pr_info("lwk: doorbell: IRQ %d, vector 0x%x on CPU %u (APIC 0x%x)\n", lwk.doorbell_irq,
		lwk.doorbell_vector, lwk.doorbell_cpu, lwk.doorbell_apic_id);
}

void lwk_doorbell_teardown(void)
{
	if (!lwk.doorbell_irq)
		return;
	free_irq(lwk.doorbell_irq, NULL);
	irq_dispose_mapping(lwk.doorbell_irq);
	lwk.doorbell_irq = 0;
	lwk.doorbell_vector = 0;
}

/* The partition this file saw is gone (or there was none when it asked). */
static bool lwk_file_hup(const struct lwk_file *lf)
{
	return READ_ONCE(lwk.part.state) == LWK_DEV_STATE_NONE ||
	       READ_ONCE(lwk.part.gen) != lf->gen;
}

static u64 lwk_file_pending(const struct lwk_file *lf)
{
	return atomic64_read(&lwk.doorbells) - lf->doorbells_seen;
}

/* read() of 8 bytes: the doorbells since this file last read; 0 bytes (end
 * of file) once its partition is gone and nothing is pending. */
ssize_t lwk_doorbell_read(struct file *file, char __user *buf, size_t len, loff_t *pos)
{
	struct lwk_file *lf = file->private_data;
	u64 now, n;
	int ret;

	if (!lf->version_ok)
		return -EPROTO;
	if (len < sizeof(u64))
		return -EINVAL;
	for (;;) {
		now = atomic64_read(&lwk.doorbells);
		if (now != lf->doorbells_seen || lwk_file_hup(lf))
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(lwk.waitq, lwk_file_pending(lf) || lwk_file_hup(lf));
		if (ret)
			return ret;
	}
	n = now - lf->doorbells_seen;
	if (!n)
		return 0;
	if (copy_to_user(buf, &n, sizeof(n)))
		return -EFAULT;
	lf->doorbells_seen = now;
	return sizeof(n);
}

__poll_t lwk_doorbell_poll(struct file *file, struct poll_table_struct *wait)
{
	struct lwk_file *lf = file->private_data;
	__poll_t mask = 0;

	if (!lf->version_ok)
		return EPOLLERR;
	poll_wait(file, &lwk.waitq, wait);
	if (lwk_file_pending(lf))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (lwk_file_hup(lf))
		mask |= EPOLLHUP;
	return mask;
}

/* A fixed IPI with the vector the LWK published to its core @cpu (an
 * index in the channel header), if that core is one of the partition's and
 * halts: the wake vector does nothing but end a halt, and a running core is
 * never interrupted. The caller published its news and fenced (smp_mb)
 * first; the LWK sets cpu_halted, fences and looks once more before it
 * halts. True if the core was rung. */
bool lwk_ring_core(const struct lwk_chan_header *h, u32 cpu)
{
	const struct lwk_partition *p = &lwk.part;
	u32 vector = READ_ONCE(h->wake_vector), apic_id, i;
	unsigned long flags;

	if (vector < FIRST_EXTERNAL_VECTOR || vector > 0xff || cpu >= LWK_CHAN_MAX_CPUS ||
	    !READ_ONCE(h->cpu_halted[cpu]))
		return false;
	apic_id = READ_ONCE(h->cpu_apic_id[cpu]);
	for (i = 0; i < p->ncpus && p->apic_id[i] != apic_id; i++)
		;
	if (i == p->ncpus)
		return false;
	local_irq_save(flags);
	apic->icr_write(APIC_DM_FIXED | vector, apic_id);
	apic->safe_wait_icr_idle();
	local_irq_restore(flags);
	return true;
}

void lwk_wake_service(const struct lwk_chan_header *h)
{
	smp_mb(); /* our news before its cpu_halted */
	lwk_ring_core(h, READ_ONCE(h->service_cpu));
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * LWK cores: taken from Linux with remove_cpu() (Linux moves its tasks,
 * timers and interrupts away and parks the core), started and stopped with
 * INIT and STARTUP IPIs sent through the local APIC driver Linux chose,
 * given back with add_cpu() (which starts the core afresh with its own
 * INIT-SIPI-SIPI).
 *
 * While a partition is up, CPU hotplug is disabled: otherwise an
 * "echo 1 > /sys/devices/system/cpu/cpuN/online" would make Linux send
 * INIT-SIPI-SIPI to a core the LWK is running on.
 */
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/irqflags.h>
#include <asm/apic.h>
#include <asm/smp.h>

#include "lwk.h"

static void lwk_icr_send(u32 low, u32 apic_id)
{
	unsigned long flags;

	local_irq_save(flags);
	apic->icr_write(low, apic_id);
	apic->safe_wait_icr_idle();
	local_irq_restore(flags);
}

/* INIT (assert, then deassert): the core stops whatever it runs and waits
 * for STARTUP. */
void lwk_cpu_init(u32 apic_id)
{
	lwk_icr_send(APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT, apic_id);
	msleep(10);
	lwk_icr_send(APIC_INT_LEVELTRIG | APIC_DM_INIT, apic_id);
}

/* Two STARTUP IPIs, as the MP specification asks, with the page number of
 * the trampoline as the vector: the core starts in real mode at
 * tramp_pa >> 4 : 0. */
void lwk_cpu_startup(u32 apic_id, u64 tramp_pa)
{
	u32 vector = tramp_pa >> PAGE_SHIFT;

	lwk_icr_send(APIC_DM_STARTUP | vector, apic_id);
	udelay(300);
	lwk_icr_send(APIC_DM_STARTUP | vector, apic_id);
	udelay(300);
}

static int lwk_cpu_check(unsigned int cpu, char *msg)
{
	if (cpu >= nr_cpu_ids || !cpu_present(cpu)) {
		lwk_msg(msg, "CPU %u does not exist (this node has CPUs 0-%u)", cpu,
			nr_cpu_ids - 1);
		return -EINVAL;
	}
	if (cpu == 0) {
		lwk_msg(msg, "CPU 0 stays with Linux: choose other cores");
		return -EINVAL;
	}
	if (!cpu_online(cpu)) {
		lwk_msg(msg,
			"CPU %u is offline: bring it online (echo 1 > "
			"/sys/devices/system/cpu/cpu%u/online) or leave it out",
			cpu, cpu);
		return -EINVAL;
	}
	return 0;
}

/* Check the mask and record each core's Linux number and APIC ID (read now:
 * Linux's tables are those of online CPUs). */
static int lwk_cpu_collect(struct lwk_partition *p, const u64 *mask, char *msg)
{
	unsigned int cpu;
	int ret;

	for (cpu = 0; cpu < LWK_DEV_MAX_CPUS; cpu++) {
		if (!(mask[cpu / 64] & (1ull << (cpu % 64))))
			continue;
		ret = lwk_cpu_check(cpu, msg);
		if (ret)
			return ret;
		p->cpu[p->ncpus] = cpu;
		p->apic_id[p->ncpus] = cpu_physical_id(cpu);
		p->ncpus++;
	}
	if (!p->ncpus) {
		lwk_msg(msg, "no cores asked for: name at least one in cpu_mask");
		return -EINVAL;
	}
	if (p->ncpus >= num_online_cpus()) {
		lwk_msg(msg, "%u cores asked for, Linux has %u online: it must keep one", p->ncpus,
			num_online_cpus());
		return -EINVAL;
	}
	return 0;
}

static void lwk_cpu_add_back(struct lwk_partition *p, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (add_cpu(p->cpu[i]))
			pr_err("lwk: CPU %u could not be given back to Linux: echo 1 > "
			       "/sys/devices/system/cpu/cpu%u/online\n",
			       p->cpu[i], p->cpu[i]);
}

int lwk_cpu_take(struct lwk_partition *p, const u64 *mask, char *msg)
{
	u32 i;
	int ret;

	ret = lwk_cpu_collect(p, mask, msg);
	if (ret) {
		p->ncpus = 0;
		return ret;
	}
	for (i = 0; i < p->ncpus; i++) {
		ret = remove_cpu(p->cpu[i]);
		if (ret) {
			lwk_msg(msg,
				"Linux would not give up CPU %u (%d): is it busy or already "
				"offline?",
				p->cpu[i], ret);
			lwk_cpu_add_back(p, i);
			p->ncpus = 0;
			return ret < 0 ? ret : -EBUSY;
		}
	}
	cpu_hotplug_disable();
	return 0;
}

/* The cores must have been stopped with INIT. Returns 0, or -EIO with msg
 * naming the cores Linux did not take back. */
int lwk_cpu_give_back(struct lwk_partition *p, char *msg)
{
	u32 i, lost = 0;
	int ret;

	cpu_hotplug_enable();
	for (i = 0; i < p->ncpus; i++) {
		ret = add_cpu(p->cpu[i]);
		if (!ret)
			continue;
		pr_err("lwk: CPU %u (APIC 0x%x) did not come back to Linux (%d)\n", p->cpu[i],
		       p->apic_id[i], ret);
		if (msg && !lost)
			snprintf(msg, LWK_DEV_MSG_LEN,
				 "CPU %u did not come back to Linux (%d): try echo 1 > "
				 "/sys/devices/system/cpu/cpu%u/online",
				 p->cpu[i], ret, p->cpu[i]);
		lost++;
	}
	return lost ? -EIO : 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The partition's life: RESERVE takes cores and memory, START starts the
 * boot core through the trampoline page, SHUTDOWN stops every core and
 * gives everything back, whatever state the LWK is in.
 */
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <asm/tsc.h>

#include <uapi/arch/trampoline.h>
#include <uapi/lwk/channel.h>

#include "lwk.h"

#define LWK_START_TIMEOUT_MAX_MS 10000
#define LWK_START_TIMEOUT_DEFAULT_MS 1000
#define LWK_SHUTDOWN_TIMEOUT_MAX_MS 30000
#define LWK_KERNEL_HALF 0xffff800000000000ull

static const char *lwk_state_name(u32 state)
{
	switch (state) {
	case LWK_DEV_STATE_RESERVED:
		return "reserved";
	case LWK_DEV_STATE_STARTED:
		return "started";
	default:
		return "none";
	}
}

static int lwk_reserve_check(struct lwk_ioc_reserve *arg)
{
	struct lwk_partition *p = &lwk.part;

	if (p->state != LWK_DEV_STATE_NONE) {
		lwk_msg(arg->msg,
			"partition '%s' is already %s (%u cores, %llu MiB): shut it down "
			"first",
			p->name, lwk_state_name(p->state), p->ncpus, p->mem >> 20);
		return -EBUSY;
	}
	if (!lwk.tramp) {
		lwk_msg(arg->msg,
			"trampoline page unusable (%s): add memmap=4K\\\\\\$0x%llx to "
			"GRUB_CMDLINE_LINUX in /etc/default/grub, update-grub, reboot, "
			"load lwk.ko trampoline=0x%llx",
			lwk.tramp_err, lwk.tramp_pa ? lwk.tramp_pa : 0x90000ull,
			lwk.tramp_pa ? lwk.tramp_pa : 0x90000ull);
		return -ENODEV;
	}
	if (!arg->mem || !IS_ALIGNED(arg->mem, SZ_2M)) {
		lwk_msg(arg->msg, "memory %llu bytes: ask for a non-zero multiple of 2 MiB",
			arg->mem);
		return -EINVAL;
	}
	if (arg->low_min > arg->mem) {
		lwk_msg(arg->msg, "low_min %llu MiB is more than the memory asked, %llu MiB",
			arg->low_min >> 20, arg->mem >> 20);
		return -EINVAL;
	}
	return 0;
}

int lwk_part_reserve(struct lwk_file *lf, struct lwk_ioc_reserve *arg)
{
	struct lwk_partition *p = &lwk.part;
	u64 gen = p->gen;
	int ret;

	ret = lwk_reserve_check(arg);
	if (ret)
		return ret;
	if (!try_module_get(THIS_MODULE)) {
		lwk_msg(arg->msg, "lwk.ko is being unloaded");
		return -ENODEV;
	}
	memset(p, 0, sizeof(*p));
	p->gen = gen;
	ret = lwk_cpu_take(p, arg->cpu_mask, arg->msg);
	if (ret)
		goto fail;
	ret = lwk_mem_take(p, arg->mem, arg->low_min, arg->msg);
	if (ret) {
		lwk_cpu_give_back(p, NULL);
		goto fail;
	}
	memcpy(p->name, arg->name, sizeof(p->name));
	p->name[sizeof(p->name) - 1] = 0;
	p->owner = current_uid();
	p->state = LWK_DEV_STATE_RESERVED;
	p->gen = gen + 1;
	lf->gen = p->gen;
	down_write(&lwk.mem_lock);
	lwk.mem_valid = true;
	up_write(&lwk.mem_lock);
	pr_info("lwk: partition '%s' reserved: %u cores (boot core CPU %u, APIC 0x%x), %llu MiB "
		"in %u ranges\n",
		p->name, p->ncpus, p->cpu[0], p->apic_id[0], p->mem >> 20, p->nranges);
	return 0;
fail:
	memset(p, 0, sizeof(*p));
	p->gen = gen;
	module_put(THIS_MODULE);
	return ret;
}

void lwk_part_info(struct lwk_ioc_info *info)
{
	struct lwk_partition *p = &lwk.part;
	u32 i;

	info->state = p->state;
	info->trampoline = lwk.tramp ? lwk.tramp_pa : 0;
	info->tsc_khz = tsc_khz;
	info->doorbell_vector = lwk.doorbell_vector;
	info->doorbell_apic_id = lwk.doorbell_apic_id;
	if (p->state == LWK_DEV_STATE_NONE)
		return;
	info->ncpus = p->ncpus;
	for (i = 0; i < p->ncpus; i++) {
		info->linux_cpu[i] = p->cpu[i];
		info->apic_id[i] = p->apic_id[i];
	}
	info->nranges = p->nranges;
	for (i = 0; i < p->nranges; i++) {
		info->range[i].base = p->range[i].base;
		info->range[i].size = p->range[i].size;
	}
	info->mem = p->mem;
	info->chan_base = p->chan_base;
	info->chan_size = p->chan_size;
	info->owner_uid = from_kuid_munged(current_user_ns(), p->owner);
	memcpy(info->name, p->name, sizeof(info->name));
}

static bool lwk_in_tramp(u64 addr, u64 len)
{
	return addr >= lwk.tramp_pa && len <= PAGE_SIZE && addr - lwk.tramp_pa <= PAGE_SIZE - len;
}

/* The trampoline runs these before anything of the LWK's: a bad value here
 * would send a core into the weeds, so each is checked against what the
 * trampoline does with it (uapi/arch/trampoline.h). */
static int lwk_start_check(struct lwk_ioc_start *arg)
{
	struct lwk_partition *p = &lwk.part;
	const struct lwk_trampoline_params *tp =
	    (const void *)(arg->page + LWK_TRAMPOLINE_PARAMS_OFFSET);
	char *msg = arg->msg;

	if (p->state != LWK_DEV_STATE_RESERVED) {
		lwk_msg(msg, "no partition to start: it is %s (reserve one first)",
			lwk_state_name(p->state));
		return p->state == LWK_DEV_STATE_NONE ? -ENOENT : -EBUSY;
	}
	if (tp->magic != LWK_TRAMPOLINE_MAGIC) {
		lwk_msg(msg, "trampoline page: magic 0x%x at 0x%x is not 0x%x", tp->magic,
			LWK_TRAMPOLINE_PARAMS_OFFSET, LWK_TRAMPOLINE_MAGIC);
		return -EINVAL;
	}
	if ((tp->cr3 & ~PAGE_MASK) || !lwk_mem_contains(p, tp->cr3, PAGE_SIZE)) {
		lwk_msg(msg, "trampoline cr3 0x%x is not a page of partition memory below 4 GiB",
			tp->cr3);
		return -EINVAL;
	}
	if (!lwk_in_tramp(tp->far_offset, 1) ||
	    !lwk_in_tramp(tp->gdt_base, (u64)tp->gdt_limit + 1)) {
		lwk_msg(msg,
			"trampoline far_offset 0x%x or gdt 0x%x+0x%x lies outside the "
			"trampoline page 0x%llx",
			tp->far_offset, tp->gdt_base, tp->gdt_limit, lwk.tramp_pa);
		return -EINVAL;
	}
	if (tp->entry < LWK_KERNEL_HALF || tp->stack_top < LWK_KERNEL_HALF) {
		lwk_msg(msg, "trampoline entry 0x%llx or stack 0x%llx is not a kernel address",
			tp->entry, tp->stack_top);
		return -EINVAL;
	}
	if (arg->chan_size < sizeof(struct lwk_chan_header) ||
	    !IS_ALIGNED(arg->chan_base | arg->chan_size, PAGE_SIZE) ||
	    !lwk_mem_contains(p, arg->chan_base, arg->chan_size)) {
		lwk_msg(msg, "channel 0x%llx+0x%llx is not page-aligned partition memory",
			arg->chan_base, arg->chan_size);
		return -EINVAL;
	}
	return 0;
}

static int lwk_wait_started(volatile u32 *started, u32 timeout_ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);

	for (;;) {
		if (READ_ONCE(*started))
			return 0;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		usleep_range(500, 1000);
	}
}

int lwk_part_start(struct lwk_ioc_start *arg)
{
	struct lwk_partition *p = &lwk.part;
	struct lwk_trampoline_params *tp = lwk.tramp + LWK_TRAMPOLINE_PARAMS_OFFSET;
	u32 timeout = arg->timeout_ms ? arg->timeout_ms : LWK_START_TIMEOUT_DEFAULT_MS;
	int ret;

	ret = lwk_start_check(arg);
	if (ret)
		return ret;
	timeout = min_t(u32, timeout, LWK_START_TIMEOUT_MAX_MS);
	/* A channel header left from an earlier partition in the same memory
	 * must not pass for this LWK's. */
	memset(lwk_mem_kaddr(p, arg->chan_base, PAGE_SIZE), 0, PAGE_SIZE);
	down_write(&lwk.mem_lock);
	p->chan_base = arg->chan_base;
	p->chan_size = arg->chan_size;
	up_write(&lwk.mem_lock);
	memcpy(lwk.tramp, arg->page, PAGE_SIZE);
	WRITE_ONCE(tp->started, 0);
	wmb();
	lwk_cpu_init(p->apic_id[0]);
	lwk_cpu_startup(p->apic_id[0], lwk.tramp_pa);
	ret = lwk_wait_started(&tp->started, timeout);
	if (ret) {
		u32 i;

		/* It may have come up late and started the others already. */
		for (i = 0; i < p->ncpus; i++)
			lwk_cpu_init(p->apic_id[i]);
		lwk_msg(arg->msg, "LWK boot core, CPU %u (APIC 0x%x), did not start within %u ms",
			p->cpu[0], p->apic_id[0], timeout);
		return ret;
	}
	p->state = LWK_DEV_STATE_STARTED;
	pr_info("lwk: partition '%s' started on CPU %u (APIC 0x%x)\n", p->name, p->cpu[0],
		p->apic_id[0]);
	return 0;
}

/* Ask a running LWK to stop (the channel header's shutdown word) and wait a
 * bounded time for it to say DOWN or PANICKED. Returns the state seen. */
static u32 lwk_ask_down(struct lwk_partition *p, u32 timeout_ms)
{
	struct lwk_chan_header *h;
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	u32 state;

	if (p->state != LWK_DEV_STATE_STARTED || !p->chan_size)
		return 0;
	h = lwk_mem_kaddr(p, p->chan_base, PAGE_SIZE);
	if (READ_ONCE(h->magic) != LWK_CHAN_MAGIC)
		return 0;
	state = READ_ONCE(h->state);
	if (state != LWK_STATE_READY)
		return state;
	WRITE_ONCE(h->shutdown, 1);
	lwk_wake_service(h);
	for (;;) {
		state = READ_ONCE(h->state);
		if (state == LWK_STATE_DOWN || state == LWK_STATE_PANICKED)
			return state;
		if (time_after(jiffies, deadline) || fatal_signal_pending(current))
			return state;
		msleep(1);
	}
}

static const char *lwk_lwk_state_name(u32 state)
{
	switch (state) {
	case LWK_STATE_BOOTING:
		return "booting";
	case LWK_STATE_READY:
		return "ready, did not stop in time";
	case LWK_STATE_PANICKED:
		return "panicked";
	case LWK_STATE_DOWN:
		return "down";
	default:
		return "silent";
	}
}

int lwk_part_shutdown(struct lwk_ioc_shutdown *arg)
{
	struct lwk_partition *p = &lwk.part;
	u32 timeout = min_t(u32, arg->timeout_ms, LWK_SHUTDOWN_TIMEOUT_MAX_MS);
	u32 was = p->state, seen, i;
	u64 mem = p->mem;
	char cpu_err[LWK_DEV_MSG_LEN] = "";
	int ret;

	arg->flags = 0;
	if (was == LWK_DEV_STATE_NONE) {
		lwk_msg(arg->msg, "no partition is reserved");
		return -ENOENT;
	}
	seen = lwk_ask_down(p, timeout);
	if (seen == LWK_STATE_DOWN)
		arg->flags |= LWK_DEV_SHUT_CLEAN;
	/* Whatever the LWK said, no core of it runs past this point. */
	for (i = 0; i < p->ncpus; i++)
		lwk_cpu_init(p->apic_id[i]);
	down_write(&lwk.mem_lock);
	lwk.mem_valid = false;
	lwk_claim_drop_all();
	lwk_mmap_zap_all();
	up_write(&lwk.mem_lock);
	ret = lwk_cpu_give_back(p, cpu_err);
	/* A core Linux could not take back is in a state no one knows: the
	 * memory it ran in stays out of Linux's hands (lost until reboot)
	 * rather than be reused under it. */
	if (!ret)
		lwk_mem_give_back(p);
	else
		pr_err("lwk: %llu MiB of partition '%s' kept from Linux: %s\n", mem >> 20, p->name,
		       cpu_err);
	memset(lwk.tramp, 0, PAGE_SIZE);
	if (ret)
		lwk_msg(arg->msg,
			"partition '%s' gone, but %s; its %llu MiB stay out of Linux's use until "
			"reboot",
			p->name, cpu_err, mem >> 20);
	else
		lwk_msg(arg->msg,
			"partition '%s' (%s, LWK %s) shut down: %u cores and %llu MiB "
			"back to Linux",
			p->name, lwk_state_name(was), lwk_lwk_state_name(seen), p->ncpus,
			mem >> 20);
	p->state = LWK_DEV_STATE_NONE;
	p->ncpus = p->nranges = 0;
	p->mem = p->chan_base = p->chan_size = 0;
	wake_up_interruptible_all(&lwk.waitq);
	module_put(THIS_MODULE);
	return ret;
}

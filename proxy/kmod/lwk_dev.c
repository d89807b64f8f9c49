// SPDX-License-Identifier: GPL-2.0-only
/*
 * lwk.ko: /dev/lwk, its module parameters, and the ioctl entry points.
 * What each ioctl means is uapi/lwk/lwkdev.h; the partition's life (take,
 * start, stop, give back) is lwk_part.c.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "lwk.h"

static unsigned long trampoline;
module_param(trampoline, ulong, 0444);
MODULE_PARM_DESC(trampoline, "physical address of the page below 1 MiB reserved on Linux's "
			     "command line for starting LWK cores (memmap=4K$0x90000 -> 0x90000)");

static char *mem_region;
module_param(mem_region, charp, 0444);
MODULE_PARM_DESC(mem_region, "SIZE@ADDR of a boot-time memmap=SIZE$ADDR region to take "
			     "partition memory from instead of alloc_contig_range");

static int admin_gid = -1;
module_param(admin_gid, int, 0444);
MODULE_PARM_DESC(admin_gid, "group that may reserve, start and shut down a partition "
			    "besides root (-1: root only)");

struct lwk_device lwk;

void lwk_msg(char *msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, LWK_DEV_MSG_LEN, fmt, ap);
	va_end(ap);
	/* Any user may fail calls in a loop: do not let that flood dmesg. */
	pr_info_ratelimited("lwk: %s\n", msg);
}

/* The trampoline page must be one Linux does not own: memmap=4K$ADDR makes
 * it "Reserved" in the e820 map, so it is not System RAM in iomem (Linux
 * reserves the whole first 1 MiB for itself otherwise, and may put its own
 * real-mode trampoline anywhere in it). STARTUP's vector is the page
 * number, and 0xa0000 up is the legacy video and ROM area. */
static void lwk_tramp_setup(void)
{
	u64 pa = trampoline;

	lwk.tramp_pa = pa;
	if (!pa) {
		lwk.tramp_err = "no trampoline= parameter";
		return;
	}
	if ((pa & ~PAGE_MASK) || pa < PAGE_SIZE || pa >= 0xa0000) {
		lwk.tramp_err = "not a page below 0xa0000";
		return;
	}
	if (region_intersects(pa, PAGE_SIZE, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT) {
		lwk.tramp_err = "the page is System RAM, not reserved";
		return;
	}
	lwk.tramp = memremap(pa, PAGE_SIZE, MEMREMAP_WB);
	if (!lwk.tramp) {
		lwk.tramp_err = "memremap of the page failed";
		return;
	}
	memset(lwk.tramp, 0, PAGE_SIZE);
	pr_info("lwk: trampoline page 0x%llx\n", pa);
}

/* mem_region=SIZE@ADDR: a region reserved with memmap=SIZE$ADDR. */
static int lwk_region_setup(void)
{
	char *end;
	u64 size, base;

	if (!mem_region || !*mem_region)
		return 0;
	size = memparse(mem_region, &end);
	if (*end != '@')
		goto bad;
	base = memparse(end + 1, &end);
	if (*end && *end != '\n')
		goto bad;
	if (!size || !IS_ALIGNED(base, SZ_2M) || !IS_ALIGNED(size, SZ_2M) || base + size < base)
		goto bad;
	if (region_intersects(base, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT) {
		pr_err("lwk: mem_region %s is System RAM: reserve it with memmap=%llx$0x%llx on "
		       "Linux's command line first\n",
		       mem_region, size, base);
		return -EINVAL;
	}
	lwk.region_base = base;
	lwk.region_size = size;
	pr_info("lwk: memory region 0x%llx-0x%llx\n", base, base + size - 1);
	return 0;
bad:
	pr_err("lwk: mem_region=%s: expected SIZE@ADDR, both 2 MiB aligned, e.g. 256M@0x40000000\n",
	       mem_region);
	return -EINVAL;
}

static bool lwk_caller_is_admin(void)
{
	if (capable(CAP_SYS_ADMIN))
		return true;
	return admin_gid >= 0 && in_group_p(KGIDT_INIT(admin_gid));
}

static int lwk_open(struct inode *inode, struct file *file)
{
	struct lwk_file *lf = kzalloc(sizeof(*lf), GFP_KERNEL);

	if (!lf)
		return -ENOMEM;
	lf->file = file;
	lf->claim = -1;
	file->private_data = lf;
	mutex_lock(&lwk.files_lock);
	list_add(&lf->node, &lwk.files);
	mutex_unlock(&lwk.files_lock);
	return nonseekable_open(inode, file);
}

static int lwk_release(struct inode *inode, struct file *file)
{
	struct lwk_file *lf = file->private_data;

	/* A proxy that exits or dies ends its process here, at once. */
	if (lf->claim >= 0) {
		mutex_lock(&lwk.lock);
		lwk_claim_end(lf);
		mutex_unlock(&lwk.lock);
	}
	mutex_lock(&lwk.files_lock);
	list_del(&lf->node);
	mutex_unlock(&lwk.files_lock);
	kfree(lf);
	return 0;
}

static int lwk_do_version(struct lwk_file *lf, void *argp, char *msg)
{
	struct lwk_ioc_version *arg = argp;
	u32 theirs = arg->abi_version;

	arg->abi_version = LWK_ABI_VERSION;
	arg->flags = 0;
	if (theirs != LWK_ABI_VERSION) {
		lwk_msg(msg,
			"lwk.ko speaks ABI %u, the caller %u: use programs built with this "
			"module's tree",
			LWK_ABI_VERSION, theirs);
		return -EPROTO;
	}
	lf->version_ok = true;
	lf->admin = lwk_caller_is_admin();
	lf->gen = lwk.part.gen;
	lf->doorbells_seen = atomic64_read(&lwk.doorbells);
	if (lf->admin)
		arg->flags |= LWK_DEV_F_ADMIN;
	return 0;
}

static int lwk_do_reserve(struct lwk_file *lf, void *argp, char *msg)
{
	return lwk_part_reserve(lf, argp);
}

static int lwk_do_start(struct lwk_file *lf, void *argp, char *msg)
{
	return lwk_part_start(argp);
}

static int lwk_do_shutdown(struct lwk_file *lf, void *argp, char *msg)
{
	return lwk_part_shutdown(argp);
}

static int lwk_do_info(struct lwk_file *lf, void *argp, char *msg)
{
	lwk_part_info(argp);
	return 0;
}

static int lwk_do_claim(struct lwk_file *lf, void *argp, char *msg)
{
	return lwk_claim(lf, argp);
}

static int lwk_do_unclaim(struct lwk_file *lf, void *argp, char *msg)
{
	return lwk_unclaim(lf, argp);
}

typedef int (*lwk_op_fn)(struct lwk_file *lf, void *arg, char *msg);

struct lwk_op {
	unsigned int cmd;
	size_t size;
	ssize_t msg_off; /* -1: the struct has no msg */
	bool copy_in, admin_only;
	lwk_op_fn fn;
};

static const struct lwk_op lwk_ops[] = {
	{ LWK_IOC_VERSION, sizeof(struct lwk_ioc_version), offsetof(struct lwk_ioc_version, msg),
	  true, false, lwk_do_version },
	{ LWK_IOC_RESERVE, sizeof(struct lwk_ioc_reserve), offsetof(struct lwk_ioc_reserve, msg),
	  true, true, lwk_do_reserve },
	{ LWK_IOC_INFO, sizeof(struct lwk_ioc_info), -1, false, false, lwk_do_info },
	{ LWK_IOC_START, sizeof(struct lwk_ioc_start), offsetof(struct lwk_ioc_start, msg), true,
	  true, lwk_do_start },
	{ LWK_IOC_SHUTDOWN, sizeof(struct lwk_ioc_shutdown), offsetof(struct lwk_ioc_shutdown, msg),
	  true, true, lwk_do_shutdown },
	{ LWK_IOC_CLAIM, sizeof(struct lwk_ioc_claim), offsetof(struct lwk_ioc_claim, msg), true,
	  false, lwk_do_claim },
	{ LWK_IOC_UNCLAIM, sizeof(struct lwk_ioc_claim), offsetof(struct lwk_ioc_claim, msg), true,
	  false, lwk_do_unclaim },
};

/* Why a call may not run on this file, or 0. */
static int lwk_op_refused(const struct lwk_op *op, struct lwk_file *lf, char *msg)
{
	if (op->cmd != LWK_IOC_VERSION && !lf->version_ok) {
		if (msg)
			lwk_msg(msg, "LWK_IOC_VERSION must come first on this file");
		return -EPROTO;
	}
	if (op->admin_only && !lf->admin) {
		lwk_msg(msg,
			"only root or the module's admin_gid (%d) may reserve, start or shut "
			"down a partition",
			admin_gid);
		return -EPERM;
	}
	return 0;
}

/* The argument is copied in before lwk.lock and out after it (see lwk.h). */
static long lwk_run_op(const struct lwk_op *op, struct lwk_file *lf, void __user *uarg)
{
	void *arg = kzalloc(op->size, GFP_KERNEL);
	char *msg = NULL;
	long ret;

	if (!arg)
		return -ENOMEM;
	if (op->copy_in && copy_from_user(arg, uarg, op->size)) {
		kfree(arg);
		return -EFAULT;
	}
	if (op->msg_off >= 0) {
		msg = (char *)arg + op->msg_off;
		memset(msg, 0, LWK_DEV_MSG_LEN);
	}
	ret = lwk_op_refused(op, lf, msg);
	if (!ret) {
		mutex_lock(&lwk.lock);
		ret = op->fn(lf, arg, msg);
		mutex_unlock(&lwk.lock);
	}
	if ((msg || !ret) && copy_to_user(uarg, arg, op->size))
		ret = -EFAULT;
	kfree(arg);
	return ret;
}

static long lwk_ioctl(struct file *file, unsigned int cmd, unsigned long uarg)
{
	struct lwk_file *lf = file->private_data;
	size_t i;

	/* The hot path (after every forwarded call's completion): no copy,
	 * no allocation, no lwk.lock. */
	if (cmd == LWK_IOC_RING)
		return lf->version_ok ? lwk_ring(lf, uarg) : -EPROTO;
	for (i = 0; i < ARRAY_SIZE(lwk_ops); i++)
		if (lwk_ops[i].cmd == cmd)
			return lwk_run_op(&lwk_ops[i], lf, (void __user *)uarg);
	return -ENOTTY;
}

static const struct file_operations lwk_fops = {
	.owner = THIS_MODULE,
	.open = lwk_open,
	.release = lwk_release,
	.unlocked_ioctl = lwk_ioctl,
	.mmap = lwk_mmap,
	.read = lwk_doorbell_read,
	.poll = lwk_doorbell_poll,
	.llseek = no_llseek,
};

static struct miscdevice lwk_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "lwk",
	.fops = &lwk_fops,
	.mode = 0666,
};

static int __init lwk_init(void)
{
	int ret;

	mutex_init(&lwk.lock);
	init_rwsem(&lwk.mem_lock);
	mutex_init(&lwk.files_lock);
	INIT_LIST_HEAD(&lwk.files);
	init_waitqueue_head(&lwk.waitq);
	ret = lwk_region_setup();
	if (ret)
		return ret;
	lwk_tramp_setup();
	if (lwk.tramp_err)
		pr_warn("lwk: no partition can start: %s (see trampoline= in modinfo lwk)\n",
			lwk.tramp_err);
	lwk_doorbell_setup();
	ret = misc_register(&lwk_misc);
	if (ret) {
		pr_err("lwk: cannot register /dev/lwk: %d\n", ret);
		lwk_doorbell_teardown();
		if (lwk.tramp)
			memunmap(lwk.tramp);
		return ret;
	}
	pr_info("lwk: /dev/lwk ready, ABI %u\n", LWK_ABI_VERSION);
	return 0;
}

/* Unloading is refused while a partition is up: RESERVE holds a reference
 * on the module until SHUTDOWN drops it. */
static void __exit lwk_exit(void)
{
	misc_deregister(&lwk_misc);
	lwk_doorbell_teardown();
	if (lwk.tramp)
		memunmap(lwk.tramp);
}

module_init(lwk_init);
module_exit(lwk_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lwk: run the lwk lightweight kernel on cores and memory taken from Linux");

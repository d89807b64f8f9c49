// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmap of /dev/lwk: the file offset is a physical address. The admin's
 * file may map any partition memory read-write (lwkctl loads the kernel
 * through it); other files may map the channel's header page, log ring and
 * counters read-only, once the LWK has laid the channel out, and what the
 * process entry they hold lets them (lwk_claim.c).
 *
 * Pages are inserted at fault time, not at mmap time: a mapping checked
 * against a partition must never reach memory that a shutdown has given
 * back to Linux in between. The fault handler checks, under mem_lock, that
 * the partition the mapping was made for is still there; a shutdown
 * withdraws it under the same lock and zaps every page already mapped, so
 * every later touch is SIGBUS. A mapping made through a claim also checks
 * that the file still holds that claim (the file's claim tag is in
 * vm_private_data beside the partition's gen) and that the claim still
 * covers it; ending the claim zaps its pages. The memory
 * is ordinary RAM, mapped cacheable (vm_page_prot as it is).
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/version.h>

#include <uapi/lwk/channel.h>
#include <uapi/lwk/log.h>

#include "lwk.h"

/* vm_private_data: the partition's gen (low 32 bits) and the file's claim
 * tag (high 32; 0: not mapped through a claim). */
static void *lwk_vma_tag(u64 gen, u32 claim_tag)
{
	return (void *)(uintptr_t)((gen & 0xffffffffu) | (u64)claim_tag << 32);
}

static bool lwk_vma_valid(struct vm_area_struct *vma)
{
	u64 tag = (u64)(uintptr_t)vma->vm_private_data;
	const struct lwk_file *lf = vma->vm_file->private_data;
	u32 claim_tag = tag >> 32;
	bool ro;

	if (!lwk.mem_valid || (lwk.part.gen & 0xffffffffu) != (tag & 0xffffffffu))
		return false;
	if (!claim_tag)
		return true;
	/* The claim it was made under, and what that claim lets it reach
	 * now (the LWK's extents change as the process's life goes on). */
	return lf->claim >= 0 && lf->claim_tag == claim_tag &&
	       !lwk_claim_may_map(lf, (u64)vma->vm_pgoff << PAGE_SHIFT, vma->vm_end - vma->vm_start,
				  vma->vm_flags & VM_WRITE, &ro);
}

static vm_fault_t lwk_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long start, end, addr;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	down_read(&lwk.mem_lock);
	if (!lwk_vma_valid(vma))
		goto out;
	/* Map the 2 MiB around the fault at once: lwkctl writes a whole kernel
	 * image through this, and a fault per 4 KiB page is slow. */
	start = max(vma->vm_start, ALIGN_DOWN(vmf->address, SZ_2M));
	end = min(vma->vm_end, ALIGN_DOWN(vmf->address, SZ_2M) + SZ_2M);
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		unsigned long pfn = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
		vm_fault_t r = vmf_insert_pfn(vma, addr, pfn);

		if ((r & VM_FAULT_ERROR) && addr == (vmf->address & PAGE_MASK)) {
			ret = r;
			goto out;
		}
	}
	ret = VM_FAULT_NOPAGE;
out:
	up_read(&lwk.mem_lock);
	return ret;
}

static const struct vm_operations_struct lwk_vm_ops = {
	.fault = lwk_vm_fault,
};

/* [off, off+len) of the channel, rounded out to pages, holds [pa, pa+n). */
static bool lwk_chan_area_holds(const struct lwk_partition *p, u64 off, u64 len, u64 pa, u64 n)
{
	u64 start, end;

	if (off > p->chan_size || len > p->chan_size - off)
		return false;
	start = p->chan_base + ALIGN_DOWN(off, PAGE_SIZE);
	end = p->chan_base + ALIGN(off + len, PAGE_SIZE);
	return pa >= start && n <= end - start && pa - start <= end - start - n;
}

/* What any file may map read-only: the header, the log, the counters. */
static bool lwk_mmap_public(const struct lwk_partition *p, u64 pa, u64 len)
{
	const struct lwk_chan_header *h;
	u64 log_off, log_len, cnt_off, cnt_len;

	if (!p->chan_size)
		return false;
	h = lwk_mem_kaddr(p, p->chan_base, PAGE_SIZE);
	if (!h || READ_ONCE(h->magic) != LWK_CHAN_MAGIC)
		return false;
	log_off = READ_ONCE(h->log_off);
	log_len = sizeof(struct lwk_log_ring) + (u64)READ_ONCE(h->log_size);
	cnt_off = READ_ONCE(h->counters_off);
	cnt_len = (u64)READ_ONCE(h->ncpus) * READ_ONCE(h->counters_size);
	return lwk_chan_area_holds(p, 0, PAGE_SIZE, pa, len) ||
	       lwk_chan_area_holds(p, log_off, log_len, pa, len) ||
	       lwk_chan_area_holds(p, cnt_off, cnt_len, pa, len);
}

/* vm_flags became read-only with its own setters in Linux 6.3. */
static void lwk_vm_flags_set(struct vm_area_struct *vma, unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static void lwk_vm_flags_clear(struct vm_area_struct *vma, unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/* 0 if @lf may map @vma; *claimed: through its claim; *ro: read-only.
 * A shared mapping is told by VM_MAYSHARE: Linux drops VM_SHARED from a
 * MAP_SHARED mapping of a file opened read-only. */
static int lwk_mmap_check(struct lwk_file *lf, struct vm_area_struct *vma, bool *claimed, bool *ro)
{
	const struct lwk_partition *p = &lwk.part;
	u64 len = vma->vm_end - vma->vm_start;
	bool write = vma->vm_flags & VM_WRITE;
	u64 pa;
	int ret;

	if (!lf->version_ok)
		return -EPROTO;
	if (vma->vm_pgoff > (U64_MAX >> PAGE_SHIFT))
		return -EINVAL;
	pa = (u64)vma->vm_pgoff << PAGE_SHIFT;
	if (!lwk.mem_valid || !lwk_mem_contains(p, pa, len))
		return -EINVAL;
	*claimed = false;
	*ro = !lf->admin;
	if (lf->admin)
		return (vma->vm_flags & VM_MAYSHARE) ? 0 : -EINVAL;
	if (!write && lwk_mmap_public(p, pa, len))
		return 0;
	ret = lwk_claim_may_map(lf, pa, len, write, ro);
	if (ret)
		return ret;
	*claimed = true;
	return (vma->vm_flags & VM_MAYSHARE) ? 0 : -EINVAL;
}

int lwk_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lwk_file *lf = file->private_data;
	bool claimed = false, ro = true;
	int ret;

	down_read(&lwk.mem_lock);
	ret = lwk_mmap_check(lf, vma, &claimed, &ro);
	if (!ret) {
		if (ro)
			lwk_vm_flags_clear(vma, VM_MAYWRITE);
		lwk_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
		vma->vm_ops = &lwk_vm_ops;
		vma->vm_private_data = lwk_vma_tag(lwk.part.gen, claimed ? lf->claim_tag : 0);
	}
	up_read(&lwk.mem_lock);
	return ret;
}

/* Every mapping of every open file loses its pages (mem_lock held for
 * writing, mem_valid already false: no fault can put them back). */
void lwk_mmap_zap_all(void)
{
	struct lwk_file *lf;

	mutex_lock(&lwk.files_lock);
	list_for_each_entry(lf, &lwk.files, node) unmap_mapping_range(lf->file->f_mapping, 0, 0, 1);
	mutex_unlock(&lwk.files_lock);
}

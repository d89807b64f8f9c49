// SPDX-License-Identifier: GPL-2.0-only
/*
 * Process entries held through /dev/lwk (uapi/lwk/channel.h, step 8, and
 * uapi/lwk/lwkdev.h): LWK_IOC_CLAIM gives a file one free entry of the
 * channel, and what its proxy may map follows from it (lwk_claim_may_map);
 * LWK_IOC_UNCLAIM or the file's release ends it: the file's mappings go,
 * then the LWK is told (mod.gone_seq) and frees the entry at once.
 *
 * lwk.claimed[] and every lwk_file's claim are changed with lwk.lock held
 * and, because the fault handler reads them under mem_lock alone, with
 * mem_lock held for writing too.
 */
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched.h>

#include <uapi/lwk/channel.h>

#include "lwk.h"

/* The channel header, once the LWK laid it out; NULL before. */
static struct lwk_chan_header *lwk_claim_header(void)
{
	struct lwk_partition *p = &lwk.part;
	struct lwk_chan_header *h;

	if (p->state != LWK_DEV_STATE_STARTED || !p->chan_size || !lwk.mem_valid)
		return NULL;
	h = lwk_mem_kaddr(p, p->chan_base, PAGE_SIZE);
	if (!h || smp_load_acquire(&h->magic) != LWK_CHAN_MAGIC)
		return NULL;
	return h;
}

static u64 lwk_claim_entry_off(const struct lwk_chan_header *h, unsigned int i)
{
	return READ_ONCE(h->procs_off) + (u64)i * sizeof(struct lwk_chan_proc);
}

static u64 lwk_claim_slots_off(const struct lwk_chan_header *h, unsigned int i)
{
	return READ_ONCE(h->slots_off) + (u64)i * LWK_CHAN_SLOTS_BYTES;
}

/* Entry @i, if the channel holds it whole. */
static struct lwk_chan_proc *lwk_claim_entry(const struct lwk_chan_header *h, unsigned int i)
{
	const struct lwk_partition *p = &lwk.part;
	u64 off = lwk_claim_entry_off(h, i);

	if (i >= LWK_CHAN_MAX_PROCS || off > p->chan_size ||
	    p->chan_size - off < sizeof(struct lwk_chan_proc))
		return NULL;
	return lwk_mem_kaddr(p, p->chan_base + off, sizeof(struct lwk_chan_proc));
}

/* Free for a claim: not the LWK's (FREE), not a file's, and the LWK has
 * acted on its last release (else it could take the new claim for the
 * old proxy's death). */
static bool lwk_claim_free(struct lwk_chan_proc *e, unsigned int i)
{
	return !lwk.claimed[i] && READ_ONCE(e->state) == LWK_PROC_FREE && !READ_ONCE(e->owner) &&
	       smp_load_acquire(&e->gone_ack) == READ_ONCE(e->mod.gone_seq);
}

static void lwk_claim_set(struct lwk_file *lf, int index, u32 seq)
{
	down_write(&lwk.mem_lock);
	if (lf->claim >= 0)
		lwk.claimed[lf->claim] = NULL;
	lf->claim = index;
	lf->claim_seq = seq;
	if (index >= 0) {
		lwk.claimed[index] = lf;
		/* A mapping made under an earlier claim of this file must not
		 * come back to life under this one: entries' seqs repeat across
		 * entries, this file's tag does not. */
		lf->claim_tag = lf->claim_tag + 1 ? lf->claim_tag + 1 : 1;
	}
	up_write(&lwk.mem_lock);
}

int lwk_claim(struct lwk_file *lf, struct lwk_ioc_claim *arg)
{
	struct lwk_chan_header *h = lwk_claim_header();
	unsigned int i, n;
	u32 seq;

	if (lf->claim >= 0) {
		lwk_msg(arg->msg, "this file holds process entry %d already: one per open file",
			lf->claim);
		return -EBUSY;
	}
	if (!h || lf->gen != lwk.part.gen) {
		lwk_msg(arg->msg, "no partition is running%s: see 'lwkctl status'",
			h ? " that this file was opened for" : "");
		return -ENOENT;
	}
	n = min_t(u32, READ_ONCE(h->nprocs), LWK_CHAN_MAX_PROCS);
	for (i = 0; i < n; i++) {
		struct lwk_chan_proc *e = lwk_claim_entry(h, i);

		if (!e || !lwk_claim_free(e, i))
			continue;
		seq = READ_ONCE(e->mod.claim_seq) + 1;
		if (!seq)
			seq = 1;
		WRITE_ONCE(e->owner, (u32)task_tgid_vnr(current));
		WRITE_ONCE(e->mod.uid, from_kuid_munged(&init_user_ns, current_uid()));
		/* The LWK sees a managed entry only with its owner and uid. */
		smp_store_release(&e->mod.claim_seq, seq);
		lwk_claim_set(lf, i, seq);
		arg->index = i;
		return 0;
	}
	lwk_msg(arg->msg,
		"partition '%s' runs %u processes already, its most; wait for one to end "
		"(see 'lwkctl status')",
		lwk.part.name, n);
	return -EAGAIN;
}

static void lwk_claim_zap(struct lwk_file *lf, u64 pa, u64 len)
{
	if (len)
		unmap_mapping_range(lf->file->f_mapping, pa, len, 1);
}

/* Take every page the entry let this file map out of every mapping of it
 * (the pages are refused from now on: lf->claim is -1). */
static void lwk_claim_zap_entry(struct lwk_file *lf, const struct lwk_chan_header *h,
				struct lwk_chan_proc *e, unsigned int i)
{
	u64 base = lwk.part.chan_base;
	u32 k, n = min_t(u32, smp_load_acquire(&e->nextents), LWK_CHAN_MAX_EXTENTS);

	lwk_claim_zap(lf, base + lwk_claim_entry_off(h, i), sizeof(*e));
	lwk_claim_zap(lf, base + lwk_claim_slots_off(h, i), LWK_CHAN_SLOTS_BYTES);
	for (k = 0; k < n; k++)
		lwk_claim_zap(lf, READ_ONCE(e->extent[k].pa), READ_ONCE(e->extent[k].size));
}

/* End @lf's claim: its mappings first, then the LWK is told. Called with
 * lwk.lock held; quiet when there is none. */
void lwk_claim_end(struct lwk_file *lf)
{
	struct lwk_chan_header *h = lwk_claim_header();
	int i = lf->claim;
	u32 seq = lf->claim_seq;
	struct lwk_chan_proc *e;

	if (i < 0)
		return;
	lwk_claim_set(lf, -1, 0);
	if (!h || lf->gen != lwk.part.gen)
		return; /* that partition is gone, and every mapping with it */
	e = lwk_claim_entry(h, i);
	if (!e)
		return;
	lwk_claim_zap_entry(lf, h, e, i);
	smp_store_release(&e->mod.gone_seq, seq);
	lwk_wake_service(h);
}

int lwk_unclaim(struct lwk_file *lf, struct lwk_ioc_claim *arg)
{
	if (lf->claim < 0) {
		lwk_msg(arg->msg, "this file holds no process entry (LWK_IOC_CLAIM first)");
		return -ENOENT;
	}
	arg->index = lf->claim;
	lwk_claim_end(lf);
	return 0;
}

/* The partition is going (mem_lock held for writing, its memory already
 * out of reach): no file holds an entry any more. */
void lwk_claim_drop_all(void)
{
	unsigned int i;

	for (i = 0; i < LWK_CHAN_MAX_PROCS; i++) {
		if (lwk.claimed[i])
			lwk.claimed[i]->claim = -1;
		lwk.claimed[i] = NULL;
	}
}

/* [pa, pa + len) inside [base, base + size)? */
static bool lwk_within(u64 pa, u64 len, u64 base, u64 size)
{
	return pa >= base && len <= size && pa - base <= size - len;
}

/* May @lf, not the admin's, map [pa, pa + len) through its claim? 0,
 * -EACCES for a read-only piece asked writable, -EPERM for anything not
 * its own. @ro: the piece is read-only. mem_lock held. */
int lwk_claim_may_map(const struct lwk_file *lf, u64 pa, u64 len, bool write, bool *ro)
{
	struct lwk_chan_header *h = lwk_claim_header();
	u64 base = lwk.part.chan_base, entry;
	struct lwk_chan_proc *e;
	u32 k, n;

	*ro = false;
	if (lf->claim < 0 || !h || lf->gen != lwk.part.gen)
		return -EPERM;
	e = lwk_claim_entry(h, lf->claim);
	if (!e)
		return -EPERM;
	entry = base + lwk_claim_entry_off(h, lf->claim);
	if (lwk_within(pa, len, entry, LWK_CHAN_PROC_LWK_PAGE))
		return 0;
	if (lwk_within(pa, len, entry + LWK_CHAN_PROC_LWK_PAGE,
		       sizeof(*e) - LWK_CHAN_PROC_LWK_PAGE)) {
		*ro = true;
		return write ? -EACCES : 0;
	}
	if (lwk_within(pa, len, base + lwk_claim_slots_off(h, lf->claim), LWK_CHAN_SLOTS_BYTES))
		return 0;
	n = min_t(u32, smp_load_acquire(&e->nextents), LWK_CHAN_MAX_EXTENTS);
	for (k = 0; k < n; k++)
		if (lwk_within(pa, len, READ_ONCE(e->extent[k].pa), READ_ONCE(e->extent[k].size)))
			return 0;
	return -EPERM;
}

/* LWK_IOC_RING: wake the halted ones among the cores asked for. Not under
 * lwk.lock, which a boot or shutdown holds for seconds: mem_lock for
 * reading keeps the channel mapped and this file's claim as it is. */
long lwk_ring(struct lwk_file *lf, unsigned long what)
{
	struct lwk_chan_header *h;
	struct lwk_chan_proc *e;
	long rung = 0;
	u32 w, cpu;

	if (what & ~(unsigned long)(LWK_RING_SERVICE | LWK_RING_PROC))
		return -EINVAL;
	down_read(&lwk.mem_lock);
	h = lwk_claim_header();
	if (!h) {
		up_read(&lwk.mem_lock);
		return -ENODEV;
	}
	smp_mb(); /* the caller's news before the cores' cpu_halted */
	if (what & LWK_RING_PROC) {
		e = lf->claim >= 0 && lwk.claimed[lf->claim] == lf ? lwk_claim_entry(h, lf->claim)
								   : NULL;
		if (!e) {
			up_read(&lwk.mem_lock);
			return -ENOENT;
		}
		for (w = 0; w < LWK_CHAN_MAX_CPUS / 64; w++) {
			u64 bits = READ_ONCE(e->core_mask[w]);

			while (bits) {
				cpu = w * 64 + __ffs64(bits);
				bits &= bits - 1;
				rung += lwk_ring_core(h, cpu);
			}
		}
	}
	if (what & LWK_RING_SERVICE)
		rung += lwk_ring_core(h, READ_ONCE(h->service_cpu));
	up_read(&lwk.mem_lock);
	return rung;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Process-control commands on the service core (uapi/lwk/channel.h):
 * CREATE (cores, memory, a staging buffer), EXEC (the process from the
 * staging buffer), START, RELEASE. A command comes from Linux and is
 * checked in full: each refusal is a -errno and one line in reply.msg that
 * says what was wrong, and the service goes on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <lwk/arch.h>
#include <lwk/check.h>
#include <lwk/cpus.h>
#include <lwk/errno.h>
#include <lwk/exec.h>
#include <lwk/log.h>
#include <lwk/pmem.h>
#include <uapi/lwk/channel_msg.h>
#include "service_internal.h"

#define STAGING_MAX_SHIFT 28   /* 256 MiB */
#define ARGS_MAX MiB(1)	       /* argv and envp strings, together */
#define ARGS_MAX_STRINGS 65536 /* and their number */

static const char *const state_names[] = { "free", "created", "loaded", "running", "exited" };
static const char *const cmd_names[] = { "control command", "CREATE", "EXEC", "START", "RELEASE" };

static const char *state_name(uint32_t s)
{
	return s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

static const char *cmd_name(uint32_t type)
{
	return type < ARRAY_SIZE(cmd_names) ? cmd_names[type] : "control command";
}

static __printf(3, 4) int refuse(struct lwk_chan_reply *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return err;
}

/* Answer command @seq with @r: body first, seq last, so that the proxy
 * that sees the seq sees the rest. The proxy's half: ctl_reply_read
 * (proxy/lwkexec/service_launch.c). */
static void ctl_reply_post(struct svc_entry *e, uint32_t seq, struct lwk_chan_reply *r)
{
	lwk_msg_post(&e->chan->reply, r, LWK_MSG_REPLY, sizeof(*r), seq);
	e->replied_seq = seq;
	channel_notify_host(e->chan);
}

static void exec_publish(struct svc_entry *e, uint32_t seq, struct lwk_chan_reply *r)
{
	if (r->status)
		log_info("channel: entry %u: EXEC refused (%d): %s", svc_index(e), r->status,
			 r->msg);
	ctl_reply_post(e, seq, r);
}

static uint64_t mib_up(uint64_t bytes)
{
	return (bytes + MiB(1) - 1) >> 20;
}

/* ---- CREATE ------------------------------------------------------------------- */

static bool core_free(unsigned int i)
{
	return i != 0 && i < ncpus && cpus[i].state == CPU_ONLINE && !svc_core_owner[i];
}

static unsigned int cores_free(void)
{
	unsigned int n = 0;

	for (unsigned int i = 1; i < ncpus; i++)
		n += core_free(i);
	return n;
}

static bool mask_empty(const uint64_t *mask)
{
	for (unsigned int w = 0; w < LWK_CHAN_MAX_CPUS / 64; w++)
		if (mask[w])
			return false;
	return true;
}

/* Exactly the cores of @mask, each of which must be a free compute core. */
static int cores_from_mask(struct svc_entry *e, const uint64_t *mask, struct lwk_chan_reply *r)
{
	uint32_t *cpu_pid = channel_header()->cpu_pid;

	e->ncores = 0;
	for (unsigned int i = 0; i < LWK_CHAN_MAX_CPUS; i++) {
		if (!(mask[i / 64] & (1ull << (i % 64))))
			continue;
		if (i >= ncpus)
			return refuse(r, -EINVAL,
				      "core %u does not exist (the partition has cores 0-%u)", i,
				      ncpus - 1);
		if (i == 0)
			return refuse(r, -EINVAL,
				      "core 0 is the service core; processes get cores 1-%u",
				      ncpus - 1);
		if (cpus[i].state != CPU_ONLINE)
			return refuse(r, -EINVAL,
				      "core %u is not online; pick online ones ('lwkctl status')",
				      i);
		if (svc_core_owner[i] && READ_ONCE(cpu_pid[i]) != SERVICE_CPU_PID_PENDING)
			return refuse(
			    r, -EBUSY,
			    "core %u is in use by pid %u; pick free ones ('lwkctl status')", i,
			    READ_ONCE(cpu_pid[i]));
		if (svc_core_owner[i])
			return refuse(r, -EBUSY,
				      "core %u is in use by a process being loaded; pick free ones "
				      "('lwkctl status')",
				      i);
		e->cores[e->ncores++] = i;
	}
	return 0;
}

/* @want free compute cores (0: every free one), lowest first. */
static int cores_by_count(struct svc_entry *e, uint32_t want, unsigned int nfree,
			  struct lwk_chan_reply *r)
{
	if (ncpus < 2)
		return refuse(
		    r, -EINVAL,
		    "the partition has no compute core (core 0 is the service core); boot "
		    "it with 2 cores or more");
	if (want > ncpus - 1)
		return refuse(r, -EINVAL,
			      "%u cores asked, the partition has %u compute cores; ask for fewer "
			      "with --cores",
			      want, ncpus - 1);
	if (!nfree && !want)
		return refuse(r, -EBUSY,
			      "every free core asked, but all %u compute cores are in use; wait "
			      "for a process to end ('lwkctl status')",
			      ncpus - 1);
	if (want > nfree)
		return refuse(r, -EBUSY,
			      "%u cores asked, %u free; ask for fewer with --cores, or wait for a "
			      "process to end",
			      want, nfree);
	e->ncores = 0;
	for (unsigned int i = 1; i < ncpus && e->ncores < (want ? want : nfree); i++)
		if (core_free(i))
			e->cores[e->ncores++] = i;
	return 0;
}

static int staging_shift(uint64_t size, unsigned int *shift, struct lwk_chan_reply *r)
{
	unsigned int s = PMEM_SHIFT_4K;

	if (!size)
		return refuse(r, -EINVAL,
			      "staging_size is 0: the program is loaded through a "
			      "staging buffer, ask for one as large as its files");
	if (size > (1ull << STAGING_MAX_SHIFT))
		return refuse(r, -EFBIG,
			      "a %llu MiB staging buffer asked, at most %llu MiB: the program and "
			      "its interpreter must fit in that",
			      (unsigned long long)mib_up(size), 1ull << (STAGING_MAX_SHIFT - 20));
	while ((1ull << s) < size)
		s++;
	*shift = s;
	return 0;
}

/* What CREATE can grant beside a staging buffer of @staging bytes: the
 * free figure that 'lwkctl status' shows (svc_mem_available), less only
 * the part of a large buffer that the kernel's headroom cannot lend it.
 * So --mem up to the figure shown works for any ordinary program. */
static uint64_t avail_beside(uint64_t staging)
{
	uint64_t avail = svc_mem_available();
	uint64_t lent = SERVICE_HEADROOM / 2; /* the rest: page tables, stacks */
	uint64_t extra = staging > lent ? ALIGN_UP(staging - lent, MiB(2)) : 0;

	return avail > extra ? avail - extra : 0;
}

/* The memory for the process: what was asked, or for 0 its cores' share
 * of what is free (free x cores taken / free cores before). */
static int grant_mem(uint64_t asked, unsigned int ncores, unsigned int nfree, uint64_t staging,
		     uint64_t *out, struct lwk_chan_reply *r)
{
	uint64_t avail = avail_beside(staging), shown = svc_mem_available();
	uint64_t want;

	if (asked) {
		want = ALIGN_UP(asked, MiB(2));
		if (want > avail && avail == shown)
			return refuse(
			    r, -ENOMEM,
			    "--mem %llu MiB asked, %llu MiB free; ask for less with --mem",
			    (unsigned long long)mib_up(asked), (unsigned long long)(avail >> 20));
		if (want > avail)
			return refuse(r, -ENOMEM,
				      "--mem %llu MiB asked, %llu MiB free, of which loading the "
				      "program's %llu MiB of files takes %llu MiB; ask for less "
				      "with --mem",
				      (unsigned long long)mib_up(asked),
				      (unsigned long long)(shown >> 20),
				      (unsigned long long)mib_up(staging),
				      (unsigned long long)((shown - avail) >> 20));
		if (asked < LWK_PROC_MEM_MIN)
			return refuse(
			    r, -EINVAL,
			    "--mem %llu %s is too little: a process needs at least %llu "
			    "MiB",
			    (unsigned long long)(asked % MiB(1) ? asked >> 10 : asked >> 20),
			    asked % MiB(1) ? "KiB" : "MiB",
			    (unsigned long long)(LWK_PROC_MEM_MIN >> 20));
	} else {
		want = ALIGN_DOWN(avail / nfree * ncores, MiB(2));
		if (want < LWK_PROC_MEM_MIN)
			return refuse(
			    r, -ENOMEM,
			    "%llu MiB free, a share of %llu MiB for %u of %u free cores: a "
			    "process needs at least %llu MiB; ask with --mem",
			    (unsigned long long)(avail >> 20), (unsigned long long)(want >> 20),
			    ncores, nfree, (unsigned long long)(LWK_PROC_MEM_MIN >> 20));
	}
	*out = want;
	return 0;
}

/* " (uid N)": whose process, as lwk.ko wrote it. */
static const char *uid_note(const struct svc_entry *e)
{
	static char buf[24];

	snprintf(buf, sizeof(buf), " (uid %u)", READ_ONCE(e->chan->mod.uid));
	return buf;
}

static void create_commit(struct svc_entry *e, paddr_t staging, unsigned int shift, uint64_t mem,
			  struct lwk_chan_reply *r)
{
	uint32_t *cpu_pid = channel_header()->cpu_pid;
	struct lwk_chan_proc *c = e->chan;

	e->staging = staging;
	e->staging_shift = shift;
	e->mem = mem;
	e->mem_promised = true;
	svc_promised += mem;
	memset(c->core_mask, 0, sizeof(c->core_mask));
	for (unsigned int i = 0; i < e->ncores; i++) {
		unsigned int core = e->cores[i];

		svc_core_owner[core] = svc_index(e) + 1;
		WRITE_ONCE(cpu_pid[core], SERVICE_CPU_PID_PENDING);
		r->core_mask[core / 64] |= 1ull << (core % 64);
	}
	memcpy(c->core_mask, r->core_mask, sizeof(c->core_mask));
	WRITE_ONCE(c->mem, mem);
	r->staging_pa = pa_addr(staging);
	r->staging_size = 1ull << shift;
	r->mem = mem;
	e->nextents = 0;
	svc_extents_add(e, r->staging_pa, r->staging_size); /* the list is empty */
	svc_extents_publish(e);
	svc_set_state(e, LWK_PROC_CREATED);
	log_info("channel: entry %u%s: %u core%s, %llu MiB, %llu KiB staging at 0x%llx",
		 svc_index(e), svc_managed(e) ? uid_note(e) : "", e->ncores,
		 e->ncores == 1 ? "" : "s", (unsigned long long)(mem >> 20),
		 (unsigned long long)(r->staging_size >> 10), (unsigned long long)r->staging_pa);
}

static int ctl_create(struct svc_entry *e, const struct lwk_chan_ctl *ctl, struct lwk_chan_reply *r)
{
	unsigned int nfree = cores_free(), shift = 0;
	uint64_t mem = 0;
	paddr_t staging;
	int ret;

	if (e->state != LWK_PROC_FREE)
		return refuse(r, -EBUSY, "the entry holds a process already (%s); RELEASE it first",
			      state_name(e->state));
	ret = mask_empty(ctl->core_mask) ? cores_by_count(e, ctl->ncores, nfree, r)
					 : cores_from_mask(e, ctl->core_mask, r);
	if (!ret)
		ret = staging_shift(ctl->staging_size, &shift, r);
	if (!ret)
		ret = grant_mem(ctl->mem, e->ncores, nfree, 1ull << shift, &mem, r);
	if (!ret && pmem_alloc(shift, &staging))
		ret = refuse(r, -ENOMEM,
			     "no contiguous %llu KiB free for the staging buffer (%llu MiB free "
			     "in all)",
			     1ull << (shift - 10), (unsigned long long)(pmem_free_bytes() >> 20));
	if (ret) {
		e->ncores = 0;
		return ret;
	}
	/* It held other processes' memory: the proxy must not see that. */
	memset(arch_phys_to_virt(staging), 0, 1ull << shift);
	create_commit(e, staging, shift, mem, r);
	return 0;
}

/* ---- EXEC ------------------------------------------------------------------------ */

/* Is [off, off + size) inside the staging buffer? (No overflow.) */
static bool in_staging(const struct svc_entry *e, uint64_t off, uint64_t size)
{
	uint64_t total = 1ull << e->staging_shift;

	return off <= total && size <= total - off;
}

static int exec_check_ranges(const struct svc_entry *e, const struct lwk_chan_ctl *ctl,
			     struct lwk_chan_reply *r)
{
	static const char fmt[] = "the %s (offset 0x%llx, %llu bytes) is not inside the %llu-byte "
				  "staging buffer";
	const struct {
		const char *what;
		uint64_t off, size;
	} parts[] = {
		{ "program image", ctl->image_off, ctl->image_size },
		{ "interpreter", ctl->interp_off, ctl->interp_size },
		{ "argv", ctl->argv_off, ctl->argv_size },
		{ "environment", ctl->envp_off, ctl->envp_size },
	};

	if (!ctl->image_size)
		return refuse(r, -EINVAL, "image_size is 0: no program to run");
	if (!ctl->argv_size)
		return refuse(r, -EINVAL, "argv_size is 0: a program needs argv[0]");
	for (unsigned int i = 0; i < ARRAY_SIZE(parts); i++)
		if (!in_staging(e, parts[i].off, parts[i].size))
			return refuse(r, -EINVAL, fmt, parts[i].what,
				      (unsigned long long)parts[i].off,
				      (unsigned long long)parts[i].size, 1ull << e->staging_shift);
	if (!in_staging(e, ctl->maps_off, 0) || ctl->maps_off % 8)
		return refuse(
		    r, -EINVAL,
		    "maps_off 0x%llx is not an 8-byte aligned offset inside the %llu-byte "
		    "staging buffer",
		    (unsigned long long)ctl->maps_off, 1ull << e->staging_shift);
	if (ctl->argv_size + ctl->envp_size > ARGS_MAX)
		return refuse(r, -E2BIG, "argv and environment are %llu KiB, at most %llu KiB",
			      (unsigned long long)((ctl->argv_size + ctl->envp_size) >> 10),
			      (unsigned long long)(ARGS_MAX >> 10));
	return 0;
}

/* argv and envp, copied out of the staging buffer (which the proxy can
 * still write) and split into NULL-terminated arrays. */
struct exec_args {
	paddr_t buf;
	unsigned int shift;
	const char **argv, **envp;
};

static unsigned int count_strings(const char *s, uint64_t len)
{
	unsigned int n = 0;

	for (uint64_t i = 0; i < len; i++)
		n += !s[i];
	return n;
}

static void split_strings(char *s, uint64_t len, const char **out)
{
	unsigned int n = 0;

	for (uint64_t off = 0; off < len; off += strlen(s + off) + 1)
		out[n++] = s + off;
	out[n] = NULL;
}

static int exec_copy_args(const struct svc_entry *e, const struct lwk_chan_ctl *ctl,
			  struct exec_args *a, struct lwk_chan_reply *r)
{
	const char *staging = arch_phys_to_virt(e->staging);
	uint64_t alen = ctl->argv_size, elen = ctl->envp_size;
	uint64_t strs = ALIGN_UP(alen + elen, 8), bytes;
	unsigned int nargs, nenv;
	char *buf;

	a->shift = PMEM_SHIFT_4K;
	bytes = strs + (ARGS_MAX_STRINGS + 2) * sizeof(char *);
	while ((1ull << a->shift) < bytes)
		a->shift++;
	if (pmem_alloc(a->shift, &a->buf))
		return refuse(r, -ENOMEM, "no memory to copy argv and the environment");
	buf = arch_phys_to_virt(a->buf);
	memcpy(buf, staging + ctl->argv_off, alen);
	memcpy(buf + alen, staging + ctl->envp_off, elen);
	nargs = count_strings(buf, alen);
	nenv = count_strings(buf + alen, elen);
	if (buf[alen - 1] || (elen && buf[alen + elen - 1]) || nargs + nenv > ARGS_MAX_STRINGS) {
		pmem_free(a->buf, a->shift);
		return refuse(r, -EINVAL,
			      "argv and environment must be NUL-terminated strings, at most %u "
			      "(%u + %u given)",
			      ARGS_MAX_STRINGS, nargs, nenv);
	}
	a->argv = (const char **)(buf + strs);
	a->envp = a->argv + nargs + 1;
	split_strings(buf, alen, a->argv);
	split_strings(buf + alen, elen, a->envp);
	return 0;
}

/* The process's memory map, for the proxy to mirror at the same
 * addresses. */
static int exec_write_maps(struct svc_entry *e, struct proc *p, uint64_t maps_off,
			   struct lwk_chan_reply *r)
{
	uint64_t bytes = (uint64_t)p->uvm.nmaps * sizeof(struct lwk_chan_map);
	struct lwk_chan_map *m;

	if (!in_staging(e, maps_off, bytes))
		return refuse(r, -ENOSPC,
			      "the memory map has %u entries (%llu bytes): leave room for them at "
			      "maps_off 0x%llx of the staging buffer",
			      p->uvm.nmaps, (unsigned long long)bytes,
			      (unsigned long long)maps_off);
	m = (struct lwk_chan_map *)((uint8_t *)arch_phys_to_virt(e->staging) + maps_off);
	for (unsigned int i = 0; i < p->uvm.nmaps; i++) {
		m[i] = (struct lwk_chan_map){ p->uvm.maps[i].va, p->uvm.maps[i].size,
					      pa_addr(p->uvm.maps[i].pa), p->uvm.maps[i].prot, 0 };
		if (!svc_extents_add(e, m[i].pa, m[i].size))
			return refuse(r, -E2BIG,
				      "the process's memory lies in more than %u separate pieces, "
				      "more than lwk.ko lets a proxy map; ask for less --mem",
				      LWK_CHAN_MAX_EXTENTS - 1);
	}
	r->nmaps = p->uvm.nmaps;
	return 0;
}

/* The process exists: it holds its memory now, no longer a promise. */
static void exec_took(struct svc_entry *e, struct proc *p)
{
	e->p = p;
	e->mem_promised = false;
	svc_promised -= e->mem;
}

static void exec_commit(struct svc_entry *e, struct proc *p)
{
	struct lwk_chan_proc *c = e->chan;
	uint32_t *cpu_pid = channel_header()->cpu_pid;

	p->chan = c;
	p->ended = service_proc_ended;
	memcpy(p->cores, e->cores, e->ncores * sizeof(p->cores[0]));
	p->ncores = e->ncores;
	p->next_core = 1 % p->ncores; /* the first thread has cores[0] */
	for (unsigned int i = 0; i < e->ncores; i++)
		WRITE_ONCE(cpu_pid[e->cores[i]], p->pid);
	strlcpy(c->name, p->name, sizeof(c->name));
	WRITE_ONCE(c->pid, p->pid);
	WRITE_ONCE(c->mem, p->uvm.reserved);
	WRITE_ONCE(c->nthreads, p->nthreads);
	svc_set_state(e, LWK_PROC_LOADED);
	log_info("channel: entry %u: pid %d (%s) loaded, %llu MiB", svc_index(e), p->pid, p->name,
		 (unsigned long long)(p->uvm.reserved >> 20));
}

/* ---- clearing the arena on the process's own cores ----------------------------- *
 * Every byte of a process is mapped at creation, so every byte must be
 * cleared before it runs or Linux mirrors it: a GiB takes seconds under
 * emulation. Done on the service core, that held up every other proxy
 * (their commands, their leases); so the arena, nearly all of it, is
 * cleared by the cores CREATE gave the process, which are idle until
 * START, in parallel, and EXEC is answered when they are done. */

#define CLEAR_STEP MiB(2) /* the arena's pages are 2 MiB or larger */

static void clear_run(void *arg)
{
	struct svc_clear *j = arg;

	for (uint64_t off = 0; off < j->len; off += CLEAR_STEP) {
		void *k = uvm_kaddr(j->u, j->va + off, CLEAR_STEP, 0);

		if (__atomic_load_n(&j->cancel, __ATOMIC_ACQUIRE))
			return;
		CHECK(k); /* the arena is mapped in 2 MiB-aligned pieces */
		memset(k, 0, CLEAR_STEP);
	}
}

static void clear_start(struct svc_entry *e, struct proc *p)
{
	uint64_t base = p->uvm.arena_base, len = p->uvm.arena_end - base;
	unsigned int n = MIN(e->ncores, SVC_CLEAR_MAX);
	uint64_t share = ALIGN_UP(len / n, CLEAR_STEP);

	e->nclear = 0;
	for (uint64_t off = 0; off < len; off += share) {
		struct svc_clear *j = &e->clear[e->nclear];

		*j = (struct svc_clear){ &p->uvm, base + off, MIN(share, len - off), 0,
					 e->cores[e->nclear] };
		e->nclear++;
		cpus_call(&cpus[j->core], clear_run, j);
	}
	e->clearing = true;
}

static bool clear_done(const struct svc_entry *e, uint64_t timeout_us)
{
	for (unsigned int i = 0; i < e->nclear; i++)
		if (!cpus_wait(&cpus[e->clear[i].core], timeout_us))
			return false;
	return true;
}

bool svc_exec_cancel(struct svc_entry *e)
{
	if (!e->clearing)
		return true;
	for (unsigned int i = 0; i < e->nclear; i++)
		__atomic_store_n(&e->clear[i].cancel, 1, __ATOMIC_RELEASE);
	e->clearing = false;
	/* A step is 2 MiB: milliseconds, even emulated. */
	if (clear_done(e, 1000000))
		return true;
	log_err("channel: entry %u: a core did not stop clearing the arena of pid %d within 1 s; "
		"its memory stays reserved",
		svc_index(e), e->p->pid);
	return false;
}

bool svc_exec_cleared(const struct svc_entry *e)
{
	return clear_done(e, 0);
}

bool svc_exec_poll(struct svc_entry *e)
{
	struct lwk_chan_reply r;
	struct proc *p = e->p;

	if (!e->clearing || !clear_done(e, 0))
		return false;
	e->clearing = false;
	memset(&r, 0, sizeof(r));
	r.status = exec_write_maps(e, p, e->maps_off, &r);
	if (r.status) {
		proc_destroy(p);
		e->p = NULL;
		e->nextents = 0; /* back to the staging buffer alone */
		svc_extents_add(e, pa_addr(e->staging), 1ull << e->staging_shift);
	} else {
		svc_extents_publish(e);
		exec_commit(e, p);
		r.pid = p->pid;
	}
	exec_publish(e, e->exec_seq, &r);
	return true;
}

/* ctl_exec's answer when it comes later (svc_exec_poll). */
#define EXEC_ANSWER_LATER 1

static int ctl_exec(struct svc_entry *e, const struct lwk_chan_ctl *ctl, struct lwk_chan_reply *r)
{
	const uint8_t *staging = arch_phys_to_virt(e->staging);
	struct exec_request req = { .mem = e->mem, .arena_uncleared = true };
	struct exec_args a;
	struct proc *p;
	int ret;

	if (e->state != LWK_PROC_CREATED)
		return refuse(r, -EINVAL, "EXEC needs a CREATE first (the entry is %s)",
			      state_name(e->state));
	ret = exec_check_ranges(e, ctl, r);
	if (!ret)
		ret = exec_copy_args(e, ctl, &a, r);
	if (ret)
		return ret;
	req.image = staging + ctl->image_off;
	req.image_size = ctl->image_size;
	req.interp = ctl->interp_size ? staging + ctl->interp_off : NULL;
	req.interp_size = ctl->interp_size;
	req.argv = a.argv;
	req.envp = a.envp;
	ret = exec_create(&req, &p, &e->first, &e->entry, &e->sp, r->msg, sizeof(r->msg));
	pmem_free(a.buf, a.shift);
	if (ret)
		return ret;
	exec_took(e, p);
	e->maps_off = ctl->maps_off;
	clear_start(e, p);
	return EXEC_ANSWER_LATER;
}

/* ---- START, RELEASE ------------------------------------------------------------- */

static int ctl_start(struct svc_entry *e, struct lwk_chan_reply *r)
{
	if (e->state != LWK_PROC_LOADED)
		return refuse(r, -EINVAL, "START needs a loaded process (the entry is %s)",
			      state_name(e->state));
	/* The proxy has mirrored the process: the staging buffer is done. But
	 * a proxy of lwk.ko's may still have it mapped: it goes with the entry. */
	if (!svc_managed(e)) {
		pmem_free(e->staging, e->staging_shift);
		e->staging_shift = 0;
	}
	svc_set_state(e, LWK_PROC_RUNNING);
	log_info("channel: pid %d (%s) starts on %u core%s", e->p->pid, e->p->name, e->ncores,
		 e->ncores == 1 ? "" : "s");
	thread_start(e->first, &cpus[e->cores[0]], e->entry, e->sp);
	return 0;
}

static int ctl_release(struct svc_entry *e, struct lwk_chan_reply *r)
{
	if (svc_managed(e))
		return refuse(r, -EPERM,
			      "the entry was claimed through /dev/lwk: release it there "
			      "(LWK_IOC_UNCLAIM, or close the file)");
	if (e->state == LWK_PROC_RUNNING)
		return refuse(r, -EBUSY,
			      "pid %d is still running: send it SIGKILL and wait for EXITED first",
			      e->p->pid);
	if (e->state != LWK_PROC_FREE)
		svc_entry_release(e);
	return 0;
}

/* ---- the message ------------------------------------------------------------------ */

/* Why a command read by ctl_command_read was refused, in reply.msg. */
static int ctl_refuse_header(int why, const struct lwk_chan_ctl *ctl, struct lwk_chan_reply *r)
{
	switch (why) {
	case LWK_MSG_ERR_MAGIC:
		return refuse(r, -EPROTO,
			      "control message magic 0x%04x, expected 0x%04x: not an lwk proxy, or "
			      "a corrupt entry",
			      ctl->hdr.magic, LWK_MSG_MAGIC);
	case LWK_MSG_ERR_ABI:
		return refuse(r, -EPROTO,
			      "the proxy speaks ABI version %u, this kernel version %u: use the "
			      "lwkexec of the kernel's build",
			      ctl->hdr.abi_version, LWK_ABI_VERSION);
	default:
		return refuse(r, -EINVAL, "control message of %u bytes, expected %zu",
			      ctl->hdr.size, sizeof(*ctl));
	}
}

static int ctl_dispatch(struct svc_entry *e, const struct lwk_chan_ctl *ctl, int why,
			struct lwk_chan_reply *r)
{
	if (why)
		return ctl_refuse_header(why, ctl, r);
	switch (ctl->hdr.type) {
	case LWK_MSG_CREATE:
		return ctl_create(e, ctl, r);
	case LWK_MSG_EXEC:
		return ctl_exec(e, ctl, r);
	case LWK_MSG_START:
		return ctl_start(e, r);
	case LWK_MSG_RELEASE:
		return ctl_release(e, r);
	default:
		return refuse(r, -EINVAL,
			      "unknown control command %u (CREATE 1, EXEC 2, START 3, RELEASE 4)",
			      ctl->hdr.type);
	}
}

/* A new command from the proxy, copied once into @ctl (checked and used
 * there: the proxy may write on meanwhile): 0, a refused header
 * (LWK_MSG_ERR_MAGIC, _ABI, _SIZE), or LWK_MSG_ERR_STALE / _TORN when
 * there is nothing to answer yet. The proxy's half: ctl_command_post
 * (proxy/lwkexec/service_launch.c). */
static int ctl_command_read(const struct svc_entry *e, struct lwk_chan_ctl *ctl)
{
	return lwk_msg_read_new(ctl, &e->chan->ctl, LWK_MSG_TYPE_ANY, sizeof(*ctl), e->replied_seq);
}

bool svc_ctl_poll(struct svc_entry *e)
{
	struct lwk_chan_reply r;
	struct lwk_chan_ctl ctl;
	int why = ctl_command_read(e, &ctl);

	/* A torn command is read again at the next poll. */
	if (why == LWK_MSG_ERR_STALE || why == LWK_MSG_ERR_TORN)
		return false;
	memset(&r, 0, sizeof(r));
	r.status = ctl_dispatch(e, &ctl, why, &r);
	if (r.status == EXEC_ANSWER_LATER) {
		e->exec_seq = ctl.hdr.seq;
		return true;
	}
	if (r.status)
		log_info("channel: entry %u: %s refused (%d): %s", svc_index(e),
			 cmd_name(ctl.hdr.type), r.status, r.msg);
	ctl_reply_post(e, ctl.hdr.seq, &r);
	return true;
}

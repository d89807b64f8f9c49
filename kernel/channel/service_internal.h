/* SPDX-License-Identifier: GPL-2.0-only */
/* Private to kernel/channel/service*.c: what the service core keeps per
 * process entry. */
#pragma once

#include <lwk/channel.h>
#include <lwk/proc.h>
#include <lwk/service.h>
#include <uapi/lwk/bootdesc.h>

/* Memory the kernel keeps for itself (page tables, kernel stacks, staging
 * buffers' rounding) out of what processes can be given. */
#define SERVICE_HEADROOM MiB(16)

/* At most this many of a process's cores clear its arena at EXEC. */
#define SVC_CLEAR_MAX 8

/* One core's share of clearing an arena (service_ctl.c). */
struct svc_clear {
	struct uvm *u;
	uint64_t va, len;
	uint32_t cancel; /* set by the service core: stop at the next step */
	unsigned int core;
};

/* The kernel's view of one process entry. The channel copy (chan) is
 * readable by Linux, and Linux could scribble on it: what the kernel acts
 * on lives here. */
struct svc_entry {
	struct lwk_chan_proc *chan;
	uint32_t state;	      /* LWK_PROC_*, as published */
	uint32_t replied_seq; /* seq of the last reply */
	/* the proxy's lease */
	uint32_t owner, lease;
	uint64_t lease_tsc; /* when lease or owner last changed */
	bool orphan;	    /* its proxy is dead: reclaim as soon as it ends */
	/* CREATE */
	paddr_t staging;
	unsigned int staging_shift; /* 0: no staging buffer */
	uint64_t mem;		    /* bytes granted */
	bool mem_promised;	    /* granted, not yet taken by EXEC */
	uint16_t cores[PROC_MAX_CORES];
	unsigned int ncores;
	/* EXEC: answered once the process's cores cleared its arena */
	bool clearing;
	uint32_t exec_seq; /* the EXEC to answer */
	uint64_t maps_off;
	struct svc_clear clear[SVC_CLEAR_MAX];
	unsigned int nclear;
	struct proc *p;
	struct thread *first;
	uint64_t entry, sp;
	/* the end, told by service_proc_ended on another core */
	uint32_t ended;
	uint64_t kill_tsc; /* when it was first seen ending; 0: not yet */
	bool kill_logged;
	int exit_status;
	/* what the owner may map (partition mode), as published in chan */
	struct lwk_chan_extent extent[LWK_CHAN_MAX_EXTENTS];
	unsigned int nextents;
};

extern struct svc_entry svc_entries[LWK_CHAN_MAX_PROCS];
/* Which entry (index + 1) has each core; 0: free. */
extern uint8_t svc_core_owner[LWK_BD_MAX_CPUS];
/* Memory granted by CREATE that EXEC has not reserved yet. */
extern uint64_t svc_promised;

/* service.c */
uint64_t svc_mem_available(void);
unsigned int svc_index(const struct svc_entry *e);
void svc_set_state(struct svc_entry *e, uint32_t state);
void svc_free_cores(struct svc_entry *e);
void svc_entry_release(struct svc_entry *e);
/* Is @e held through lwk.ko (partition mode: channel.h, step 8)? */
bool svc_managed(const struct svc_entry *e);
/* Add [pa, pa + size) to what @e's owner may map, merged with its
 * neighbours; false if the list is full. svc_extents_publish makes the
 * additions visible to lwk.ko. */
bool svc_extents_add(struct svc_entry *e, uint64_t pa, uint64_t size);
void svc_extents_publish(struct svc_entry *e);
/* p->ended of a channel process. */
void service_proc_ended(struct proc *p);

/* service_ctl.c: answer the entry's control command if there is a new one. */
bool svc_ctl_poll(struct svc_entry *e);
/* An EXEC whose arena is being cleared: answer it once that is done. */
bool svc_exec_poll(struct svc_entry *e);
/* Have the compute cores finished clearing @e's memory? (A glance.) */
bool svc_exec_cleared(const struct svc_entry *e);
/* Stop the clearing of @e's arena; false if a core did not stop (then its
 * process's memory must not be freed). */
bool svc_exec_cancel(struct svc_entry *e);

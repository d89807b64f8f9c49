/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * The channel: the shared-memory area through which Linux (lwkctl, and one
 * lwkexec proxy per LWK process) and the LWK talk. Its physical base and
 * size come from the boot description (lwk,channel); the LWK owns it, never
 * allocates from it, and lays it out at boot:
 *
 *   base + 0                  struct lwk_chan_header   (one 4 KiB page)
 *   base + procs_off          struct lwk_chan_proc[nprocs]   (12 KiB each)
 *   base + slots_off          nprocs x struct lwk_chan_slot[nslots] (192 bytes
 *                             each; entry i's at i * LWK_CHAN_SLOTS_BYTES)
 *   base + log_off            struct lwk_log_ring + log_size bytes (log.h)
 *   base + counters_off       struct lwk_cpu_counters[ncpus] (counters.h)
 *   base + trace_off          ncpus x struct lwk_trace_ring, trace_size bytes
 *                             each (trace.h; trace_off 0: no room for them)
 *
 * Who writes what. Each field has one writer and the other side only reads
 * it, but for three hand-overs done with atomic operations: the LWK takes
 * the signals word (exchange with 0), the proxy takes posted[] bits
 * (exchange with 0), and the LWK clears a dead proxy's owner (compare-and-
 * swap) and posted[] when it frees an entry. "host" is a Linux process
 * (lwkctl or the proxy of that process entry), "lwk" is the kernel.
 * lwkctl trace adds two host words: the header's trace_owner, which
 * tracers take from each other (compare-and-swap), and the trace word in
 * each core's otherwise LWK-written counter block (uapi/lwk/trace.h).
 * Sequence numbers publish a message: the writer withdraws it (seq 0),
 * fills the body, then stores the header's seq with release order; the
 * reader loads seq with acquire order, copies the message and checks
 * that seq did not change meanwhile. Both sides do all of this, and the
 * hand-overs, only through uapi/lwk/channel_msg.h, which also names the
 * two halves of each conversation.
 *
 * Process control (one entry per LWK process, struct lwk_chan_proc):
 *   1. A proxy claims a free entry: compare-and-swap owner 0 -> its Linux
 *      pid, then bumps lease. In partition mode lwk.ko does it instead
 *      (LWK_IOC_CLAIM, uapi/lwk/lwkdev.h): it picks a free entry whose
 *      last release the LWK has acted on (gone_ack == mod.gone_seq), writes
 *      owner, bumps mod.claim_seq and sets mod.uid; the proxy may then map
 *      its entry's host page read-write, the LWK's and the module's pages
 *      read-only, its own slots read-write and its extents read-write.
 *   2. It writes ctl (type CREATE: cores, memory, staging bytes wanted) and
 *      publishes ctl.hdr.seq. The LWK's service core answers in reply with
 *      the same seq: a status (0 or -errno), a one-line message, and for
 *      CREATE a staging buffer (physically contiguous) to load the program.
 *   3. EXEC: the program, its interpreter and its argv/envp are in the
 *      staging buffer; the LWK creates the process and writes its memory
 *      map (struct lwk_chan_map[]) into the staging buffer; the proxy
 *      mirrors it at the same virtual addresses.
 *   4. START: the first thread runs; the staging buffer is freed.
 *   5. Forwarded system calls: a thread writes the request half of its slot
 *      (the slot index is its kernel thread index) and sets the slot's bit
 *      in its process's posted[] (atomic OR); the proxy takes the bits
 *      (atomic exchange with 0), serves each call and publishes the
 *      completion half. To interrupt a blocked call (a signal), the LWK sets
 *      req.intr_seq to the call's seq and the slot's bit in posted[] again.
 *   6. Signals for the process: the proxy ORs bit (signo - 1) into signals;
 *      the LWK takes them (atomic exchange with 0).
 *   7. When the last thread is gone the LWK sets state EXITED and
 *      exit_status; the proxy unmaps its mirror and sends RELEASE, and only
 *      then are the memory and the slots of its threads reused. If lease
 *      stops changing for LWK_CHAN_LEASE_MS the proxy is taken for dead:
 *      the process is killed, and its cores and memory reclaimed without
 *      waiting. (A proxy that is merely stopped that long, SIGSTOP, loses
 *      its process the same way.)
 *   8. Partition mode (mod.claim_seq != 0) differs in four ways. Nothing
 *      is polled on a timer: after publishing anything for the LWK (a
 *      control command, signals, a completion) a host rings the cores
 *      concerned through lwk.ko (LWK_IOC_RING, uapi/lwk/lwkdev.h) if
 *      cpu_halted[] says they halt (the LWK writes arena_free and nthreads
 *      with every forwarded request, so they are fresh while it serves
 *      one). The entry ends when its claiming file is closed (the proxy
 *      exited or died) or unclaimed (LWK_IOC_UNCLAIM, instead of RELEASE,
 *      which is refused): lwk.ko first removes the file's mappings, then sets
 *      mod.gone_seq = mod.claim_seq and wakes the service core; the LWK
 *      kills the process, frees the entry at once and sets gone_ack. There
 *      is no lease: memory a proxy may still have mapped is never taken
 *      back behind the module's back. And the staging buffer stays until
 *      the entry is freed, for the same reason.
 *
 * Every integer is little-endian, fixed-width; addresses travel as u64.
 */
#pragma once

#include <stdint.h>
#include <uapi/lwk/abi.h>

#define LWK_CHAN_MAGIC 0x4c574b48u /* "LWKH": the channel header */
#define LWK_MSG_MAGIC 0x4c57u	   /* "LW": every message header */

#define LWK_CHAN_MAX_PROCS 16
#define LWK_CHAN_MAX_SLOTS 256 /* one per kernel thread slot */
#define LWK_CHAN_MAX_CPUS 256
#define LWK_CHAN_PANIC_LEN 256
#define LWK_CHAN_MSG_LEN 192
#define LWK_CHAN_NAME_LEN 32
#define LWK_CHAN_LEASE_MS 1000	    /* a proxy silent this long is dead */
#define LWK_CHAN_LEASE_BEAT_MS 100  /* how often a proxy bumps its lease */
#define LWK_CHAN_MAX_EXTENTS 128    /* physical ranges an entry's owner may map */
#define LWK_CHAN_PROC_LWK_PAGE 4096 /* offsets in struct lwk_chan_proc of */
#define LWK_CHAN_PROC_MOD_PAGE 8192 /* the LWK's and the module's pages */

/* Kernel command-line key by which the VM shim learns the channel area:
 * lwk.channel=BASE,SIZE (hex or decimal bytes); the shim turns it into the
 * boot description's lwk,channel and keeps the range out of free memory. */
#define LWK_CHAN_CMDLINE_KEY "lwk.channel"

/* lwk_chan_header.state */
#define LWK_STATE_BOOTING 1
#define LWK_STATE_READY 2
#define LWK_STATE_PANICKED 3
#define LWK_STATE_DOWN 4 /* shut down on request */

/* lwk_msg_hdr.type */
#define LWK_MSG_CREATE 1
#define LWK_MSG_EXEC 2
#define LWK_MSG_START 3
#define LWK_MSG_RELEASE 4
#define LWK_MSG_SYSCALL 16
#define LWK_MSG_RESULT 17
#define LWK_MSG_REPLY 32

#define LWK_CHAN_CPU_LOADING 0xffffffffu /* cpu_pid[] of a process being loaded */
#define LWK_PROC_MEM_MIN (16ull << 20)	 /* the least lwk_chan_ctl.mem a CREATE may ask */

/* lwk_chan_proc.state (written by the LWK) */
#define LWK_PROC_FREE 0
#define LWK_PROC_CREATED 1 /* cores and staging given, no process yet */
#define LWK_PROC_LOADED 2  /* process made, not started */
#define LWK_PROC_RUNNING 3
#define LWK_PROC_EXITED 4 /* every thread gone; waits for RELEASE */

/* Every message starts with this. */
struct lwk_msg_hdr {
	uint16_t magic; /* LWK_MSG_MAGIC */
	uint16_t abi_version;
	uint16_t type; /* LWK_MSG_* */
	uint16_t size; /* bytes of the whole message, header included */
	uint32_t seq;  /* published last (see above) */
	uint32_t pad;
};
LWK_STATIC_ASSERT(sizeof(struct lwk_msg_hdr) == 16);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_msg_hdr, seq) == 8);

/* One forwarded system call. The request is written by the LWK, the
 * completion by the proxy; each sits on its own cache lines. */
struct lwk_chan_req {
	struct lwk_msg_hdr hdr; /* type LWK_MSG_SYSCALL */
	uint32_t pid;		/* LWK process and thread */
	uint32_t tid;
	uint32_t nr;	   /* Linux x86_64 syscall number */
	uint32_t intr_seq; /* == hdr.seq: interrupt this call (EINTR) */
	uint64_t args[6];
	uint64_t pad[6];
};
LWK_STATIC_ASSERT(sizeof(struct lwk_chan_req) == 128);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_req, nr) == 24);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_req, args) == 32);

struct lwk_chan_cmpl {
	struct lwk_msg_hdr hdr; /* type LWK_MSG_RESULT, seq = the request's */
	int64_t ret;		/* result or -errno, as the syscall returns it */
	uint64_t pad[5];
};
LWK_STATIC_ASSERT(sizeof(struct lwk_chan_cmpl) == 64);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_cmpl, ret) == 16);

struct lwk_chan_slot {
	struct lwk_chan_req req;
	struct lwk_chan_cmpl cmpl;
};
LWK_STATIC_ASSERT(sizeof(struct lwk_chan_slot) == 192);

/* A piece of the process's memory: virtually and physically contiguous. */
struct lwk_chan_map {
	uint64_t va;
	uint64_t size;
	uint64_t pa;   /* guest-physical (VM) or physical (partition) */
	uint32_t prot; /* PROT_* as Linux numbers them */
	uint32_t pad;
};
LWK_STATIC_ASSERT(sizeof(struct lwk_chan_map) == 32);

/* A control command, proxy -> LWK. Which fields matter depends on type. */
struct lwk_chan_ctl {
	struct lwk_msg_hdr hdr; /* LWK_MSG_CREATE / EXEC / START / RELEASE */
	/* CREATE */
	uint64_t core_mask[LWK_CHAN_MAX_CPUS / 64]; /* exactly these cores, or */
	uint32_t ncores;			    /* this many (0: every free one) */
	uint32_t pad0;
	uint64_t mem;	       /* bytes for the process (0: a fair share), at
				* least LWK_PROC_MEM_MIN */
	uint64_t staging_size; /* bytes to load the program through */
	/* EXEC: offsets into the staging buffer */
	uint64_t image_off, image_size;
	uint64_t interp_off, interp_size; /* size 0: no interpreter */
	uint64_t argv_off, argv_size;	  /* NUL-separated strings */
	uint64_t envp_off, envp_size;
	uint64_t maps_off; /* where the LWK writes the memory map */
	uint64_t pad1[6];
};
LWK_STATIC_ASSERT(sizeof(struct lwk_chan_ctl) == 192);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_ctl, core_mask) == 16);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_ctl, image_off) == 72);

/* The LWK's answer to a control command. */
struct lwk_chan_reply {
	struct lwk_msg_hdr hdr; /* LWK_MSG_REPLY, seq = the command's */
	int32_t status;		/* 0 or -errno */
	uint32_t pid;		/* EXEC: the LWK process ID */
	uint64_t staging_pa;	/* CREATE: the staging buffer */
	uint64_t staging_size;
	uint64_t mem;				    /* CREATE: bytes granted */
	uint64_t core_mask[LWK_CHAN_MAX_CPUS / 64]; /* CREATE: cores granted */
	uint32_t nmaps;				    /* EXEC: entries at maps_off */
	uint32_t pad0;
	char msg[LWK_CHAN_MSG_LEN]; /* why it failed, one line, NUL-terminated */
	uint64_t pad1[5];
};
LWK_STATIC_ASSERT(sizeof(struct lwk_chan_reply) == 320);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_reply, core_mask) == 48);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_reply, msg) == 88);

/* A physical range the proxy of an entry may map (partition mode: lwk.ko
 * checks every mapping of a proxy that is not the administrator's against
 * its entry's list). */
struct lwk_chan_extent {
	uint64_t pa, size; /* page-aligned */
};
LWK_STATIC_ASSERT(sizeof(struct lwk_chan_extent) == 16);

/* One LWK process and its proxy: three pages, one per writer, so that
 * lwk.ko can give a proxy its own entry's host page read-write and the
 * other two read-only, and nothing of any other entry. */
struct lwk_chan_proc {
	/* page 0, written by the host (the proxy that owns the entry) */
	uint32_t owner;	       /* Linux pid of the proxy; 0: entry free */
	uint32_t lease;	       /* bumped every LWK_CHAN_LEASE_BEAT_MS */
	uint64_t signals;      /* bit signo-1: deliver signo to the process */
	uint32_t host_waiting; /* 1: the proxy sleeps in poll() on /dev/lwk:
				* ring the doorbell (lwk,notify-ipi) after
				* posting to it */
	uint32_t pad0a;
	uint64_t pad0[5];
	struct lwk_chan_ctl ctl;
	uint64_t posted[LWK_CHAN_MAX_SLOTS / 64]; /* slots with news (the LWK
						   * sets bits, the proxy takes them) */
	uint8_t pad_host[4096 - 288];
	/* page 1, written by the LWK */
	struct lwk_chan_reply reply;
	uint32_t state; /* LWK_PROC_* */
	uint32_t pid;
	int32_t exit_status; /* wait status, Linux encoding, once EXITED */
	uint32_t nthreads;
	uint64_t mem;				    /* bytes reserved */
	uint64_t core_mask[LWK_CHAN_MAX_CPUS / 64]; /* its cores */
	char name[LWK_CHAN_NAME_LEN];
	uint64_t arena_free; /* bytes free for mmap and brk, while RUNNING */
	uint32_t gone_ack;   /* the last mod.gone_seq the LWK has acted on */
	uint32_t nextents;   /* published last, with release order */
	uint64_t pad1[3];
	/* what the owner may map: the staging buffer (CREATE) and the
	 * process's memory (EXEC), merged where contiguous; only added to
	 * while the entry is held, cleared when it is freed */
	struct lwk_chan_extent extent[LWK_CHAN_MAX_EXTENTS];
	uint8_t pad_lwk[4096 - 448 - LWK_CHAN_MAX_EXTENTS * 16];
	/* page 2, written by lwk.ko (partition mode; all 0 in a VM) */
	struct {
		uint32_t claim_seq; /* bumped by every LWK_IOC_CLAIM of the entry;
				     * nonzero: the module manages it */
		uint32_t gone_seq;  /* = claim_seq: the claiming file is closed
				     * or unclaimed, its mappings are gone */
		uint32_t uid;	    /* the claimer's Linux uid */
		uint32_t pad;
		uint8_t pad1[4096 - 16];
	} mod;
};
LWK_STATIC_ASSERT(sizeof(struct lwk_chan_proc) == 3 * 4096);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_proc, ctl) == 64);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_proc, posted) == 256);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_proc, reply) == LWK_CHAN_PROC_LWK_PAGE);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_proc, state) == 4096 + 320);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_proc, gone_ack) == 4096 + 416);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_proc, extent) == 4096 + 448);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_proc, mod) == LWK_CHAN_PROC_MOD_PAGE);

/* Each process entry i has its own forwarded-call slots, indexed by kernel
 * thread index: slot idx of entry i is at
 * slots_off + i * LWK_CHAN_SLOTS_BYTES + idx * sizeof(struct lwk_chan_slot). */
#define LWK_CHAN_SLOTS_BYTES (LWK_CHAN_MAX_SLOTS * 192)
LWK_STATIC_ASSERT(LWK_CHAN_SLOTS_BYTES % 4096 == 0);

/* The first page: what lwkctl status shows, and where the rest is. */
struct lwk_chan_header {
	uint32_t magic; /* LWK_CHAN_MAGIC once the LWK laid the channel out */
	uint32_t abi_version;
	uint64_t size; /* bytes of the whole area */
	/* written by the LWK */
	uint32_t state; /* LWK_STATE_* */
	uint32_t ncpus; /* cores in the partition */
	uint32_t cpus_online;
	uint32_t service_cpu; /* the core that answers control commands */
	uint64_t tsc_hz;
	uint64_t mem_total; /* bytes processes can be given, in all */
	uint64_t mem_free;  /* of which not given now */
	uint64_t heartbeat; /* the service core bumps it as it polls */
	uint64_t procs_off, slots_off, log_off, counters_off;
	uint32_t nprocs, nslots;
	uint32_t log_size;
	uint32_t counters_size; /* bytes per core's block */
	uint32_t cpu_apic_id[LWK_CHAN_MAX_CPUS];
	uint32_t cpu_pid[LWK_CHAN_MAX_CPUS]; /* LWK pid using the core; 0: free,
					      * LWK_CHAN_CPU_LOADING: given to a
					      * process not yet made (CREATE) */
	char panic[LWK_CHAN_PANIC_LEN];	     /* set with state PANICKED */
	/* written by the host (lwkctl shutdown, lwkctl trace) */
	uint32_t shutdown;    /* 1: stop every process and power off */
	uint32_t trace_owner; /* Linux pid of the lwkctl tracing cores, 0 none
			       * (taken by compare-and-swap; uapi/lwk/trace.h) */
	/* written by the LWK: a fixed IPI with this vector to one of its
	 * cores (cpu_apic_id[i]) ends that core's halt, and does nothing
	 * else: the core then looks for work, and a thread of its waiting
	 * for a forwarded call whose completion is published runs again.
	 * lwk.ko sends it (LWK_IOC_RING, uapi/lwk/lwkdev.h) to the service
	 * core when a proxy's file is closed, and to whichever cores a proxy
	 * or lwkctl asks for, only while cpu_halted[] says the core halts. */
	uint32_t wake_vector;
	uint32_t pad2;
	/* written by the LWK: 1 while core i is halted (or about to halt)
	 * in its idle loop, 0 while it runs. A host that publishes something
	 * for a core (a completion, a control command, a signal), then
	 * reads 1 here after a full fence, rings it; the core sets 1, fences
	 * and looks for that work once more before it halts: between the
	 * two, no news is slept through. */
	uint8_t cpu_halted[LWK_CHAN_MAX_CPUS];
	/* written by the LWK: the kernel-entry trace rings (trace.h) */
	uint64_t trace_off;	 /* 0: none (the area has no room) */
	uint32_t trace_size;	 /* bytes per core's ring */
	uint32_t trace_nrecords; /* records per ring */
	uint8_t pad1[4096 - 2704];
};
LWK_STATIC_ASSERT(sizeof(struct lwk_chan_header) == 4096);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_header, procs_off) == 64);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_header, cpu_apic_id) == 112);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_header, panic) == 2160);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_header, shutdown) == 2416);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_header, wake_vector) == 2424);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_header, trace_owner) == 2420);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_header, cpu_halted) == 2432);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_header, trace_off) == 2688);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_chan_header, trace_nrecords) == 2700);

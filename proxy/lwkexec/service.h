/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The forwarded-syscall service of lwkexec, one file per job:
 *
 *   service_dispatch.c  the dispatcher: takes posted slots, hands each
 *                       call to its slot's service thread (or runs a
 *                       quick one itself), publishes the result
 *   service_watch.c     the watchdog: is the partition still there, is
 *                       the process entry still ours
 *   service_table.c     the table, generated from uapi/lwk/syscalls.def:
 *                       each call's handler and how it is served
 *   service_call.c      the handlers' helper library (argument checks,
 *                       string and path arguments, return convention)
 *   service_check.c     pure checks, unit-tested on the host
 *   service_identity.c  what the program sees of itself (/proc/self ...)
 *   service_launch.c    the life of the process: CREATE ... RELEASE
 *   sys_*.c             the handlers, sys_<name>, one per call
 *
 * Calls go one way: dispatch -> table -> sys_*.c -> call -> check and
 * identity; dispatch and launch -> watch. The protocol itself is in
 * uapi/lwk/channel_msg.h.
 *
 * The process's memory is mirrored at its own virtual addresses (the
 * unified address space), so a handler passes the program's pointers to
 * Linux unchanged, after checking that each one lies in the mirror: a
 * pointer anywhere else would let the program read or write lwkexec's own
 * memory. A FORWARD call with no handler gets -ENOSYS.
 */
#pragma once

#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/uio.h>
#include <uapi/lwk/channel.h>

struct partition;

/* One mirrored piece of the process: [va, end), PROT_* as the LWK maps it. */
struct svc_map {
	uint64_t va, end;
	uint32_t prot;
};

/* The mirror, sorted by address, pieces never overlapping. */
struct svc_maps {
	struct svc_map *v;
	unsigned int n;
};

#define SVC_MAX_RESERVED_FDS 8

/* Everything the handlers know about the process they serve. */
struct svc {
	struct partition *part;
	struct lwk_chan_proc *entry;
	unsigned int entry_index; /* its slots are the entry's */
	uint32_t pid;		  /* the LWK's process ID */
	struct svc_maps maps;
	uint64_t mem;	       /* bytes the LWK reserved for the process */
	unsigned int ncores;   /* LWK cores it runs on */
	char exe[4096];	       /* absolute path of the program */
	char interp[4096 + 1]; /* its PT_INTERP (ELF_INTERP_MAX), or "" */
	char *const *argv;     /* what it was started with */
	/* lwkexec's own descriptor numbers: the program may not use, close
	 * or replace them */
	int reserved_fds[SVC_MAX_RESERVED_FDS];
	unsigned int nreserved;
	/* Bit i set: reserved_fds[i] holds a file of the user's (the copy of
	 * stderr), which the program may open by its name like any other.
	 * The others hold lwkexec's private objects (the partition's memory,
	 * QEMU's pidfd), which no path may reach. */
	uint32_t user_files;
	int debug; /* $LWKEXEC_DEBUG: trace unserved calls */
	int ended; /* svc_stop: the process is gone, answer and signal nothing */
};

/* One forwarded call, as a handler sees it. */
struct svc_call {
	struct svc *svc;
	uint32_t nr;
	uint32_t tid;
	uint64_t a[6];
	int64_t done; /* bytes already moved by svc_io_nowait */
};

typedef int64_t (*svc_handler)(struct svc_call *c);

/* One prototype per FORWARD syscall; handlers define the ones they serve. */
#define SVC_DECL_LOCAL(name)
#define SVC_DECL_FORWARD(name) int64_t sys_##name(struct svc_call *c);
#define SYSCALL(nr, name, where, flags) SVC_DECL_##where(name)
#include <uapi/lwk/syscalls.def>
#undef SYSCALL
#undef SVC_DECL_LOCAL
#undef SVC_DECL_FORWARD

/* --- service_table.c --- */
/* The handler for @nr, or NULL (-ENOSYS); @name gets its name or "?". */
svc_handler svc_table_lookup(uint32_t nr, const char **name);
/* How to serve @c, from its LWK_SC_* flags in syscalls.def. */
enum svc_how {
	SVC_THREAD,	   /* hand it to the slot's service thread */
	SVC_INLINE,	   /* quick and sure not to block: the dispatcher runs it */
	SVC_INLINE_NOWAIT, /* the dispatcher tries it with svc_io_nowait first */
	/* Not inline, but I/O on a regular file, which Linux does not
	 * interrupt: a signal must not answer it EINTR before it ran. */
	SVC_REGULAR_IO,
};
enum svc_how svc_table_inline(const struct svc_call *c);
/* (sys_file.c) read, write, pread64, pwrite64 without waiting
 * (RWF_NOWAIT): the result, or SVC_NOT_NOW when the rest must wait, the
 * call then advanced past what was done (counted in c->done) for a
 * service thread to finish. */
#define SVC_NOT_NOW INT64_MIN
int64_t svc_io_nowait(struct svc_call *c);

/* --- service_check.c: pure checks, unit-tested on the host --- */
/* Build the mirror description from the LWK's map list. Every piece must
 * be page-aligned, inside the LWK user layout and disjoint from the
 * others; -EINVAL and a one-line reason otherwise. */
int svc_maps_build(struct svc_maps *m, const struct lwk_chan_map *src, unsigned int n, char *err,
		   size_t errlen);
void svc_maps_free(struct svc_maps *m);
/* Does [p, p + len) lie in the mirror (writable pieces if @write)? An
 * empty range is always fine: Linux does not touch it. */
int svc_range_ok(const struct svc_maps *m, uint64_t p, uint64_t len, int write);
/* A NUL-terminated string at @p inside the mirror: its length, -EFAULT,
 * or -ENAMETOOLONG when no NUL comes within @max bytes. */
int64_t svc_str_check(const struct svc_maps *m, uint64_t p, size_t max);
/* Copy the iovec array at @p (@cnt entries, at most IOV_MAX) into @out
 * and check every buffer: 0, -EINVAL or -EFAULT. */
int svc_iov_copy(const struct svc_maps *m, uint64_t p, uint64_t cnt, int write, struct iovec *out);

/* Why a request was refused (each kind is logged once). */
enum svc_bad {
	SVC_OK,
	SVC_BAD_MAGIC,
	SVC_BAD_ABI,
	SVC_BAD_TYPE,
	SVC_BAD_SIZE,
	SVC_BAD_PID,
	SVC_BAD_KINDS
};
/* Check the header and process of a request (a snapshot, read after its
 * seq); the syscall number is the table's business. */
enum svc_bad svc_req_check(const struct lwk_chan_req *r, uint32_t pid);
const char *svc_bad_name(enum svc_bad why);
/* Where each piece goes in the staging buffer (page-aligned pieces). */
struct svc_staging {
	uint64_t image_off, interp_off, argv_off, envp_off, maps_off, size;
};
void svc_staging_layout(struct svc_staging *st, uint64_t image, uint64_t interp, uint64_t argv,
			uint64_t envp);
/* Room for the LWK's memory map in the staging buffer. */
#define SVC_MAX_MAPS 576
/* Is @fd one of lwkexec's own? */
int svc_fd_reserved(const struct svc *s, int64_t fd);
/* sendmsg control data (a copy, @len bytes): 0, -EINVAL for a header
 * whose cmsg_len is shorter than a header or runs past the end (as Linux
 * answers), -EBADF if it passes one of lwkexec's descriptors. */
int svc_control_check(const struct svc *s, const void *control, size_t len);

/* --- service_launch.c: the life of one process on the LWK --- */
struct launch_args {
	const void *image, *interp; /* the files, read whole */
	uint64_t image_size, interp_size;
	char *const *argv, *const *envp;
	unsigned int ncores; /* this many cores, or exactly core_mask */
	uint64_t core_mask[LWK_CHAN_MAX_CPUS / 64];
	uint64_t mem; /* bytes; 0: the LWK's fair share */
};

struct launch {
	struct partition *part;
	struct lwk_chan_proc *entry;
	unsigned int index;
	int created;		       /* CREATE succeeded: RELEASE before leaving */
	struct lwk_chan_reply reply;   /* the last answer */
	struct lwk_chan_map *maps;     /* the process's memory, as the LWK lists it */
	unsigned int nmaps, nmirrored; /* of which mirrored */
	int lost;		       /* the entry is no longer ours */
	int dev_claimed;	       /* claimed through /dev/lwk (partition mode) */
};

/* The signal (one of those lwkexec passes on) that came during launch. */
extern volatile int launch_signal;
/* Every forwarded signal that came (bit sig - 1), for launch_start to post
 * again after START. */
extern uint64_t launch_signals_seen;
/* Every function below returns 0, an exit status (> 0) after printing
 * why, or -signo when launch_signal came first. */
/* Take a free process entry of the channel and start its lease. */
int launch_claim(struct launch *l, struct partition *p);
/* CREATE, load through the staging buffer, EXEC, mirror, START. */
int launch_start(struct launch *l, const struct launch_args *a, struct svc *s);
/* After the process exited (or on the way out of a failed launch): drop
 * the mirror, RELEASE, free the entry. */
void launch_finish(struct launch *l);
/* Is the entry still ours (owner is our pid)? If not, say so once and
 * never touch it again. */
int launch_owned(struct launch *l);

/* --- service_watch.c: the partition watchdog --- */
/* Keep a pidfd of QEMU among lwkexec's own descriptors (when there are
 * any): its liveness is then known without opening anything (the program
 * may have used up the fds) and without mistaking a reused pid for QEMU. */
void watch_qemu_start(struct svc *s);
/* Beside Linux, a shutdown takes the partition's memory back from under
 * lwkexec (its mappings then raise SIGBUS): say so and exit 125 instead of
 * dying of it. Call once stderr is where it stays. */
void watch_revoked_start(const struct partition *p);
/* Is the partition's QEMU still running? */
int watch_qemu_alive(const struct partition *p);
/* LWKEXEC_HANG_S: how long a silent service core is rung before the
 * watchdog gives up on it (seconds, default 30); a bad value is said and
 * the default kept. */
void watch_hang_start(void);
/* Has the watchdog said the LWK stopped answering? */
int watch_hung_said(void);
/* Can no reply come any more (panic, shutdown, QEMU gone, a service core
 * that stopped answering)? 1 after saying why, 0 while the partition is
 * healthy. */
int watch_partition_trouble(struct partition *p);
/* Is the partition still there to serve (as watch_partition_trouble
 * asks), and the entry still ours? 0, or -1 after saying why not. */
int watch_serving(const struct svc *s);
/* Why entry @e is not this lwkexec's any more (written to @buf), or NULL
 * while it is. @holds: it should hold a process (CREATE was answered), so
 * a FREE state means the LWK let go of it. */
const char *watch_entry_lost(const struct lwk_chan_proc *e, int holds, char *buf, size_t len);

/* --- service_dispatch.c --- */
/* The signal that interrupts a service thread's blocked syscall. */
#define SVC_SIGINTR (SIGRTMIN + 3)
/* Get ready to serve (before START): 0, or -1 after saying why not. */
int svc_init(struct svc *s);
/* Serve the process until it has exited (state EXITED): 0, or -1 after
 * printing why the partition went away (panic, shutdown, QEMU gone). */
int svc_run(struct svc *s);
/* The process is gone: from now on no call is answered; interrupt every
 * call still running and wait (at most 1 s) for them to end, so that
 * nothing writes the channel or the mirror after RELEASE. */
void svc_stop(void);

/* --- service_identity.c: what the program sees of itself --- */
/* The path Linux should use for @path (open, readlink, stat ...), or
 * @path itself: /proc/self/exe and /proc/<LWK pid>/... are rewritten. */
const char *ident_path(const struct svc *s, const char *path, char *buf, size_t len);
/* For a path whose contents lwkexec makes up (/proc/self/maps,
 * /proc/meminfo, /sys/devices/system/cpu/online ...): an fd of a memfd
 * holding them (>= 0), -errno, or 1 for "not such a path". */
int ident_open(const struct svc *s, const char *path, int flags);
/* readlink of /proc/self/exe (and its aliases, @path as the program
 * wrote it): the program's path (length), or -1 for any other path. */
int64_t ident_readlink(const struct svc *s, const char *path, char *buf, size_t size);
/* Bytes of the process's memory that mmap and brk can have (the arena:
 * the reservation less the image and the stacks): MemTotal. */
uint64_t ident_mem_total(const struct svc *s);
/* Of which free now, as the LWK last counted: MemFree, MemAvailable. */
uint64_t ident_mem_free(const struct svc *s);
/* Is @fd, just opened on the program's behalf, one of lwkexec's private
 * objects (a reserved descriptor's file reopened, but for the user's own
 * files: see user_files) or a /proc entry of lwkexec exposing its memory
 * or descriptors (mem, fd/, fdinfo/, map_files/, environ, auxv, pagemap,
 * also under task/N/)? Then the program may not have it. */
int ident_fd_refused(const struct svc *s, int fd);

/* --- service_call.c: the handlers' helpers --- */
#define SVC_PTR(c, i) ((void *)(uintptr_t)(c)->a[i])
/* Return the error of a check, if any. */
#define SVC_TRY(expr)                    \
	do {                             \
		int64_t svc_e_ = (expr); \
		if (svc_e_)              \
			return svc_e_;   \
	} while (0)
/* The real syscall, with the kernel's return convention. */
#define SVC_SYS(...) svc_sys_result(syscall(__VA_ARGS__))
/* syscall(2)'s result as the kernel gives it: value or -errno. */
int64_t svc_sys_result(long r);
/* After a write to a closed pipe: SIGPIPE for the process, as Linux
 * would send it (lwkexec itself ignores SIGPIPE). Returns @ret. */
int64_t svc_pipe_signal(struct svc_call *c, int64_t ret);
/* A read (@write 0) or write of @fd on @cnt buffers @iov done through a
 * buffer of lwkexec's own, SVC_BOUNCE_MAX bytes at a time, for a file that
 * refused the program's memory with EFAULT (sys_file.c says when). @off -1:
 * the file position; @flags: preadv2's. Bytes done, or -errno. */
#define SVC_BOUNCE_MAX (1u << 20)
int64_t svc_bounce_io(int fd, const struct iovec *iov, int cnt, off_t off, int flags, int write);
/* -EBADF if argument @i is one of lwkexec's descriptors, else 0. */
int svc_fd_check(struct svc_call *c, int i);
/* -EFAULT unless [a[i], a[i] + len) lies in the mirror. */
int svc_buf_check(struct svc_call *c, int i, uint64_t len, int write);
/* A string argument copied into @buf (@len bytes, at most PATH_MAX):
 * NULL with *err = -EFAULT or -ENAMETOOLONG if it is refused. */
const char *svc_str_arg(struct svc_call *c, int i, char *buf, size_t len, int64_t *err);
/* A path argument (@buf of PATH_MAX bytes): copied as svc_str_arg does,
 * then rewritten by ident_path. */
const char *svc_path_arg(struct svc_call *c, int i, char *buf, size_t len, int64_t *err);

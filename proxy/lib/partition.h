/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Finding and attaching to a running LWK partition. A partition is its
 * user's own: each has a directory in its user's state directory
 * ($XDG_RUNTIME_DIR/lwk/NAME; without XDG_RUNTIME_DIR /run/lwk/NAME for
 * root, /tmp/lwk-UID/NAME for anyone else; directories 0700, files 0600)
 * holding "partition", a file of "key value" lines written by lwkctl boot:
 *
 *   name NAME            kind vm            qemu-pid PID
 *   mem-path PATH        mem-size BYTES     low-ram BYTES
 *   channel-base PA      channel-size BYTES cpus N
 *   console PATH (the serial console log)
 *
 * Its memory file is /dev/shm/lwk-UID-NAME-mem, mode 0600: two users may
 * both have a partition NAME, and only the owner may map its memory.
 *
 * A partition-mode partition (kind "partition": beside Linux through
 * lwk.ko, one per node) has no record: the module holds it, and every
 * user who may open /dev/lwk finds it there (LWK_IOC_INFO: its name,
 * state and channel), by name or as the only one, like a VM partition.
 */
#pragma once

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>
#include <uapi/lwk/lwkdev.h>
#include "transport.h"

struct lwk_chan_header;

#define PARTITION_MAX_VIEWS 8

struct partition {
	char name[64];
	char dir[PATH_MAX]; /* its state directory */
	char kind[16];
	int qemu_pid;
	char mem_path[PATH_MAX];
	uint64_t mem_size, low_ram;
	uint64_t chan_base, chan_size;
	unsigned int cpus;
	char console[PATH_MAX];
	/* partition mode (from /dev/lwk) */
	uint32_t owner_uid;		      /* who booted it */
	uint32_t doorbell_vector;	      /* 0: none, the proxies poll */
	uint32_t linux_cpu[LWK_DEV_MAX_CPUS]; /* its cores, as Linux numbers them */
	/* set before partition_attach: map the channel read-only (lwkctl
	 * status, dmesg, stats; in partition mode the module lets anyone
	 * allowed to open /dev/lwk see the header, log and counters) */
	int readonly;
	/* set by partition_attach */
	struct transport tr;
	struct lwk_chan_header *hdr; /* the mapped channel */
	/* In partition mode without the admin's rights, only pieces of the
	 * channel may be mapped: [view_off, view_off + view_len) each (the
	 * header, log and counters read-only; once an entry is claimed, its
	 * pages and its slots); nviews 0: all. */
	uint64_t view_off[PARTITION_MAX_VIEWS], view_len[PARTITION_MAX_VIEWS];
	unsigned int nviews;
	unsigned int nviews_public; /* of which the first this many are not an entry's */
};

/* The state directory, created if missing (mode 0700); refused (-EPERM,
 * -ENOTDIR, with a one-line reason) unless it is this user's and nobody
 * else may write it. One that others may read is made private. */
int partition_state_dir_make(char *out, size_t len, char *err, size_t errlen);
/* The same, for callers that need no reason. */
int partition_state_dir(char *out, size_t len);
/* The memory file of this user's partition @name. */
int partition_mem_path(const char *name, char *out, size_t len);
/* "user NAME (uid N)", or "uid N" for a uid without a name. */
void partition_user_name(uid_t uid, char *out, size_t len);
/* Pick a partition of this user's: @name if given, else $LWK_PARTITION,
 * else the only one. On failure returns -ENOENT (none running: the
 * message says to start one with 'lwkctl boot --vm'), -EPERM (@name is
 * another user's partition, or its memory file is not ours: the message
 * says whose) or another -errno, with a one-line reason. */
int partition_find(const char *name, struct partition *p, char *err, size_t errlen);
/* Load the record of the partition in directory @dir. */
int partition_load(const char *dir, struct partition *p, char *err, size_t errlen);
int partition_save(const struct partition *p, char *err, size_t errlen);
/* Is its QEMU still running (partition mode: does lwk.ko still hold it)? */
int partition_alive(const struct partition *p);
/* Open the transport and map the channel; checks the magic and the ABI
 * version (a mismatch names both versions). */
int partition_attach(struct partition *p, char *err, size_t errlen);
void partition_detach(struct partition *p);
/* Partition mode: claim a process entry through /dev/lwk (LWK_IOC_CLAIM)
 * and, when only pieces of the channel are mapped, map the entry's pages
 * and its slots into place. Its index in @index; -errno and a one-line
 * reason in @err. */
int partition_claim(struct partition *p, unsigned int *index, char *err, size_t errlen);
/* Give the entry back (LWK_IOC_UNCLAIM: the module removes this file's
 * mappings, the LWK frees the entry at once); the entry's and slots'
 * pieces become private zero pages, so that a late touch by a service
 * thread is harmless. */
void partition_unclaim(struct partition *p, unsigned int index);
/* A pointer into the channel at byte offset @off; NULL outside the
 * channel or the pieces of it that are mapped. */
void *partition_chan(const struct partition *p, uint64_t off);

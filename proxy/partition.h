/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Finding and attaching to a running LWK partition. Each partition has a
 * directory in the state directory ($XDG_RUNTIME_DIR/lwk/NAME, or
 * /run/lwk/NAME when XDG_RUNTIME_DIR is unset) holding "partition", a file
 * of "key value" lines written by lwkctl boot:
 *
 *   name NAME            kind vm            qemu-pid PID
 *   mem-path PATH        mem-size BYTES     low-ram BYTES
 *   channel-base PA      channel-size BYTES cpus N
 *   console PATH (the serial console log)
 */
#pragma once

#include <limits.h>
#include <stdint.h>
#include "transport.h"

struct lwk_chan_header;

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
	/* set by partition_attach */
	struct transport tr;
	struct lwk_chan_header *hdr; /* the mapped channel */
};

/* The state directory, created if missing (mode 0755). */
int partition_state_dir(char *out, size_t len);
/* Pick a partition: @name if given, else $LWK_PARTITION, else the only
 * one. On failure returns -ENOENT (none running: the message says to start
 * one with 'lwkctl boot --vm') or another -errno, with a one-line reason. */
int partition_find(const char *name, struct partition *p, char *err, size_t errlen);
/* Load the record of the partition in directory @dir. */
int partition_load(const char *dir, struct partition *p, char *err, size_t errlen);
int partition_save(const struct partition *p, char *err, size_t errlen);
/* Is its QEMU still running? */
int partition_alive(const struct partition *p);
/* Open the transport and map the channel; checks the magic and the ABI
 * version (a mismatch names both versions). */
int partition_attach(struct partition *p, char *err, size_t errlen);
void partition_detach(struct partition *p);
/* A pointer into the channel at byte offset @off. */
void *partition_chan(const struct partition *p, uint64_t off);

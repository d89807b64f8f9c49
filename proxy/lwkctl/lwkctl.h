/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lwkctl's commands (one file each; lwkctl.c dispatches to them) and what
 * more than one of them needs: the QEMU behind a partition or a bare run
 * (lwkctl_qemu.c) and a partition's files (lwkctl_records.c). Options and
 * their values are parsed by proxy/lib (options.h, values.h).
 */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include "options.h"
#include "values.h"

struct partition;

#define LWKCTL_POLL_MS 20 /* how often a wait on QEMU or the LWK looks */

/* Commands: argc/argv start after the command's name. Each returns the
 * exit status, OPTIONS_USAGE_ERROR for a command line it refuses. */
int lwkctl_bare(int argc, char **argv);
int lwkctl_boot(int argc, char **argv);
int lwkctl_shutdown(int argc, char **argv);
int lwkctl_status(int argc, char **argv);
int lwkctl_dmesg(int argc, char **argv);

int lwkctl_stats(int argc, char **argv);
int lwkctl_trace(int argc, char **argv);

void lwkctl_bare_usage(FILE *f);
void lwkctl_boot_usage(FILE *f);
void lwkctl_shutdown_usage(FILE *f);
void lwkctl_status_usage(FILE *f);
void lwkctl_dmesg_usage(FILE *f);
void lwkctl_stats_usage(FILE *f);
void lwkctl_trace_usage(FILE *f);

/* --- lwkctl_boot.c --- */

/* "NAME: up, N cores ...; lwkexec PROG runs programs on it" */
void lwkctl_boot_report(const struct partition *p);
/* The channel header of a booting partition: 1 ready, 0 not yet, -1
 * failed (said why on stderr). */
int lwkctl_ready_poll(const struct partition *p);
/* The processes now on the partition, as one line into @out; how many. */
unsigned int lwkctl_victims(const struct partition *p, char *out, size_t len);

/* --- lwkctl_pboot.c: a partition beside Linux, through lwk.ko --- */

struct lwkctl_pboot_opts {
	const char *name;
	uint64_t cpu_mask[4]; /* Linux cores (LWK_DEV_MAX_CPUS / 64 words) */
	uint64_t mem;	      /* bytes, whole 2 MiB */
	const char *kernel;   /* NULL: lwkctl_kernel_path's default */
	const char *kargs;
	unsigned long timeout; /* seconds to wait for READY */
};

int lwkctl_pboot(const struct lwkctl_pboot_opts *o);
/* lwkctl shutdown of a partition beside Linux: LWK_IOC_SHUTDOWN. */
int lwkctl_pshutdown(struct partition *p, unsigned long timeout, int force);

/* --- lwkctl_status.c --- */

/* Print the last @n lines of the attached partition's kernel log,
 * indented; nothing if it has none. */
void lwkctl_print_log_tail(const struct partition *p, unsigned int n, FILE *to);

/* --- lwkctl_qemu.c --- */

/* The kernel image: @given, else $LWK_KERNEL, else ../lwk.elf next to
 * this program. */
int lwkctl_kernel_path(const char *given, char *out, size_t len);
/* KVM only where it is backed by hardware. */
int lwkctl_kvm_usable(void);
/* Stop a partition's QEMU that would not power off: SIGTERM, then
 * SIGKILL; reap it if it is our @child. */
void lwkctl_qemu_kill(const struct partition *p, int child);
/* Print the last @n lines of the file at @path, each indented. */
void lwkctl_print_tail(const char *path, unsigned int n, FILE *to);
/* Sleep @ms milliseconds. */
void lwkctl_sleep_ms(unsigned int ms);
/* A monotonic clock in milliseconds, for deadlines. */
uint64_t lwkctl_now_ms(void);

/* --- lwkctl_records.c --- */

/* Remove the partition's record and memory file (if it is this user's;
 * and with @all its console log and directory); -errno if the record
 * stays. */
int lwkctl_partition_remove(const struct partition *p, int all);
/* The state directory into @state, made if missing, if this user may
 * change partitions there; else print why ("cannot @what a partition:
 * ...") and return -1. */
int lwkctl_may_manage(const char *what, char *state, size_t len);

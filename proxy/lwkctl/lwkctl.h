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

void lwkctl_bare_usage(FILE *f);
void lwkctl_boot_usage(FILE *f);
void lwkctl_shutdown_usage(FILE *f);
void lwkctl_status_usage(FILE *f);
void lwkctl_dmesg_usage(FILE *f);

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

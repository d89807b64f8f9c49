/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lwkctl's commands (one file each; lwkctl.c dispatches to them) and what
 * more than one of them needs: the walk over a command's options (one-line
 * errors, exit status 2; in lwkctl.c), the QEMU behind a partition or a
 * bare run (lwkctl_qemu.c) and a partition's files (lwkctl_records.c).
 */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include "values.h"

struct partition;

#define LWKCTL_USAGE_ERROR 2
#define LWKCTL_POLL_MS 20 /* how often a wait on QEMU or the LWK looks */

/* Commands: argc/argv start after the command's name. */
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

/* Walks a command's options. */
struct lwkctl_opts {
	const char *cmd; /* "boot": named in error messages */
	int argc;
	char **argv;
	int i; /* the option being looked at */
};

/* Is argv[i] the option @name ("--cpus N" or "--cpus=N")? If so, its value
 * goes to @val (NULL for a flag) and the walk moves past it; a missing
 * value prints a one-line error and exits with status 2. */
int lwkctl_opt(struct lwkctl_opts *o, const char *name, const char **val);
/* Print "lwkctl CMD: ...; see 'lwkctl CMD --help'" and return 2. */
int lwkctl_usage_error(const struct lwkctl_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Exit 0 after printing @usage if argv[i] is --help or -h. */
void lwkctl_opt_help(struct lwkctl_opts *o, void (*usage)(FILE *));

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

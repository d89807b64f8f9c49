/* SPDX-License-Identifier: GPL-2.0-only */
/* Small helpers that lwkctl and lwkexec share. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The largest size a --mem may name: the most a process's arena can hold
 * (LWK_ARENA_MAX), far more than any partition has. */
#define PROXY_SIZE_MAX (16ull << 40)

/* A size as lwkctl and lwkexec take it: a whole number of bytes, or of
 * KiB, MiB, GiB or TiB with the suffix K, M, G or T (either case); not 0,
 * at most PROXY_SIZE_MAX. 0 and the size in @out, or -1 and, in @err, one
 * line saying what is wrong with @s, given as option @opt ("--mem"), and
 * what to give instead. */
int proxy_size_arg(const char *opt, const char *s, uint64_t *out, char *err, size_t errlen);
/* proxy_size_arg without the message: 0, or -1. */
int proxy_parse_size(const char *s, uint64_t *out);
/* @bytes in the largest unit that holds it whole ("1 KiB", "512 MiB",
 * "3 bytes"), in @buf. */
const char *proxy_size_name(uint64_t bytes, char *buf, size_t len);

/* The whole of @path in a malloc'd buffer, or NULL with errno set. Only a
 * regular file is read (EACCES for any other kind, as execve says it):
 * a FIFO or a device would block or do worse. */
void *proxy_read_file(const char *path, size_t *size);
/* The same for a program or an interpreter, checked as execve(2) checks
 * it before loading it: also executable by us (EACCES) and on a mount
 * that allows programs (EACCES). */
void *proxy_read_program(const char *path, size_t *size);

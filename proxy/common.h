/* SPDX-License-Identifier: GPL-2.0-only */
/* Small helpers that lwkctl and lwkexec share. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* "512M", "2G", "64K" or plain bytes (not 0, at most 16 TiB): 0 and the
 * size in @out, or -1. */
int proxy_parse_size(const char *s, uint64_t *out);
/* The whole of @path in a malloc'd buffer, or NULL with errno set. Only a
 * regular file is read (EACCES for any other kind, as execve says it):
 * a FIFO or a device would block or do worse. */
void *proxy_read_file(const char *path, size_t *size);
/* The same for a program or an interpreter, checked as execve(2) checks
 * it before loading it: also executable by us (EACCES) and on a mount
 * that allows programs (EACCES). */
void *proxy_read_program(const char *path, size_t *size);

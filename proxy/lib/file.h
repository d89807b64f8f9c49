/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a file whole: a program to load on the LWK, its interpreter.
 * Only a regular file is read, never blocking: a FIFO or a device would
 * block or do worse.
 */
#pragma once

#include <stddef.h>

/* The whole of @path in a malloc'd buffer, or NULL with errno set
 * (EACCES for anything but a regular file, as execve says it). */
void *file_read(const char *path, size_t *size);
/* The same for a program or an interpreter, checked as execve(2) checks
 * it before loading it: also executable by us (EACCES) and on a mount
 * that allows programs (EACCES). */
void *file_read_program(const char *path, size_t *size);

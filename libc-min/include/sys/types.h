/* SPDX-License-Identifier: GPL-2.0-only */
/* libc-min (user space only): the POSIX scalar types, at their Linux x86_64 widths. */
#pragma once

#ifdef LWK_KERNEL
#error "user-space header: the kernel has its own types in <lwk/types.h>"
#endif

#include <stddef.h>
#include <stdint.h>

typedef long ssize_t;
typedef long off_t;
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned int mode_t;
typedef long time_t;
typedef int clockid_t;

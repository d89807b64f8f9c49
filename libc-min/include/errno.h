/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libc-min (user space only): errno and the Linux error numbers test
 * programs look at. errno is one plain global because libc-min has no
 * threads yet; with threads it must move to thread-local storage.
 */
#pragma once

#ifdef LWK_KERNEL
#error "user-space header: the kernel uses <lwk/errno.h>"
#endif

#include <uapi/lwk/errno.h>

extern int errno;

#define EWOULDBLOCK EAGAIN
#define ENOTSUP EOPNOTSUPP

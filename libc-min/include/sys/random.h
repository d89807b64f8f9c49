/* SPDX-License-Identifier: GPL-2.0-only */
/* libc-min (user space only). */
#pragma once

#ifdef LWK_KERNEL
#error "user-space header"
#endif

#include <sys/types.h>

#define GRND_NONBLOCK 0x1
#define GRND_RANDOM 0x2

ssize_t getrandom(void *buf, size_t length, unsigned int flags);

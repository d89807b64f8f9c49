/* SPDX-License-Identifier: GPL-2.0-only */
/* libc-min (user space only): the ELF auxiliary vector the kernel puts on
 * the initial stack after envp; crt0 remembers where it is. */
#pragma once

#ifdef LWK_KERNEL
#error "user-space header"
#endif

#include <uapi/lwk/auxv.h>

/* The value of entry @type, or 0 with errno ENOENT when there is none. */
unsigned long getauxval(unsigned long type);

/* SPDX-License-Identifier: GPL-2.0-only */
/* libc-min (user space only). */
#pragma once

#ifdef LWK_KERNEL
#error "user-space header"
#endif

int sched_yield(void);

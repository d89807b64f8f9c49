/* SPDX-License-Identifier: GPL-2.0-only */
/* The host's string.h, plus strlcpy where glibc (before 2.38) lacks it:
 * libc-min has it, so kernel code uses it. */
#pragma once

#include_next <string.h>

#if defined(__GLIBC__) && !__GLIBC_PREREQ(2, 38)
size_t strlcpy(char *dst, const char *src, size_t size);
#endif

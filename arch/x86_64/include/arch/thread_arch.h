/* SPDX-License-Identifier: GPL-2.0-only */
/* The x86_64 part of struct thread: the user's TLS bases, saved while the
 * thread is switched out (arch_tls_save / arch_tls_load). */
#pragma once

#include <lwk/types.h>

struct thread_arch {
	uint64_t fs_base; /* the thread pointer of the x86_64 TLS ABI */
	uint64_t gs_base;
};

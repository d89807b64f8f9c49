/* SPDX-License-Identifier: GPL-2.0-only */
/* The fake arch's part of struct thread: the thread pointer clone's
 * CLONE_SETTLS would set (arch_tls_set_pointer). */
#pragma once

#include <lwk/types.h>

struct thread_arch {
	uint64_t tp;
};

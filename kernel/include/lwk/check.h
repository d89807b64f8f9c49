/* SPDX-License-Identifier: GPL-2.0-only */
/* CHECK() guards the kernel's own invariants and is always on. Input from
 * users, Linux or the boot description is validated, never CHECKed. */
#pragma once

#include <lwk/types.h>

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define CHECK(expr)                                                                    \
	do {                                                                           \
		if (unlikely(!(expr)))                                                 \
			panic("CHECK failed at %s:%d: %s", __FILE__, __LINE__, #expr); \
	} while (0)

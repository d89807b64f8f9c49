/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

#include <lwk/bootdesc.h>

/* Give the allocator every owned byte not in use, and switch to the
 * kernel's own page tables. Returns 0 or a negative errno (logged). */
int mm_init(const struct bootdesc *bd);

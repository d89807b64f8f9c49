/* SPDX-License-Identifier: GPL-2.0-only */
/* The fake arch interface that host unit tests build generic code against. */
#pragma once

#include <lwk/types.h>

void fake_phys_set(void *mem, uint64_t base, uint64_t size);
void *arch_phys_to_virt(paddr_t p);

/* SPDX-License-Identifier: GPL-2.0-only */
/* The partition-mode entry (boot/partition.c). */
#pragma once

#include <lwk/types.h>

/* Entered on the boot core from the trampoline, on boot_stack_top, with
 * the boot description's physical address. lwkctl finds this symbol and
 * boot_stack_top in the image's ELF symbol table. */
__noreturn void partition_entry(uint64_t bootdesc_pa);

/* lwk,kernel's base in @fdt: 0 and *base, 1 if absent, -1 if malformed. */
int partition_kernel_base(const void *fdt, uint64_t *base);

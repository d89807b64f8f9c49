/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

#include <lwk/types.h>

struct cpu;

/* The kernel proper's entry on the boot core: everything it learns comes
 * from the boot description at @fdt (at most @max_size bytes). */
__noreturn void kmain(const void *fdt, size_t max_size);
/* Each other core arrives here, online and with its own stacks. */
void kernel_ap_main(struct cpu *c);

struct bootdesc;
/* The boot description as the kernel decoded it. */
const struct bootdesc *kernel_bootdesc(void);

/* SPDX-License-Identifier: GPL-2.0-only */
/* The ktest image's relocation test (relocate_test.c). The production
 * image has no such function: the weak reference is then NULL. */
#pragma once

#include <lwk/types.h>

/* Called by boot_main with the boot description the shim built; returns
 * at once unless the command line asks for the test. */
__attribute__((weak)) void pc_relocate_test(const void *fdt);

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtual layout of every LWK process, fixed and the same for all. It
 * stays clear of where Linux places a PIE proxy process (its image near
 * 0x5555_5555_0000, its heap after that, its libraries and stack below
 * 0x7fff_ffff_f000), so that the proxy can map a process's memory at the
 * very same addresses: the unified address space, in which a forwarded
 * call runs with the program's own pointers.
 *
 *   0x0000_8000_0000_0000 +---------------------------------------+
 *                         | Linux proxy: stack, libraries, vdso   |
 *   0x0000_5000_0000_0000 | Linux proxy: PIE image and its heap   |
 *                         +---------------------------------------+
 *   LWK_USER_END          | (unused)                              |
 *   0x0000_4000_0000_0000 +---------------------------------------+
 *                         | main thread stack (grows down)        |
 *   LWK_STACK_TOP - size  +---------------------------------------+
 *                         | (gap)                                 |
 *   LWK_ARENA_END         +---------------------------------------+
 *                         | arena: brk heap from the bottom up,   |
 *                         | mmap from the top down, thread stacks |
 *   LWK_ARENA_BASE        +---------------------------------------+
 *   0x0000_2000_0000_0000 | (gap)                                 |
 *   LWK_INTERP_BASE       | dynamic linker (PT_INTERP) image      |
 *   0x0000_1800_0000_0000 +---------------------------------------+
 *   LWK_PIE_BASE          | position-independent executable       |
 *   0x0000_1000_0000_0000 +---------------------------------------+
 *                         | fixed-address executables at their    |
 *                         | link address (usually 0x400000)       |
 *   LWK_USER_START        +---------------------------------------+
 *   0x0000_0000_0001_0000 | never mapped: NULL dereferences fault |
 *   0x0000_0000_0000_0000 +---------------------------------------+
 *
 * Every region a process uses is mapped in full when it is created; the
 * arena is as large as the process's memory reservation allows.
 */
#pragma once

#define LWK_USER_START 0x0000000000010000ull
#define LWK_PIE_BASE 0x0000100000000000ull
#define LWK_INTERP_BASE 0x0000180000000000ull
#define LWK_ARENA_BASE 0x0000200000000000ull
#define LWK_ARENA_MAX 0x0000100000000000ull /* 16 TiB */
#define LWK_STACK_TOP 0x0000400000000000ull
#define LWK_USER_END LWK_STACK_TOP

/* Executables at fixed addresses must fit below the PIE base. */
#define LWK_EXEC_MAX_END LWK_PIE_BASE

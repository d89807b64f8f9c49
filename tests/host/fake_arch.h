/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fake arch that host unit tests build generic code against
 * (fake_arch.c implements the part of lwk/arch.h the host-built kernel
 * files use; fakeinc/arch/ supplies its inline part), and the knobs
 * through which a test sets up and watches it:
 *
 *   physical memory   a buffer the test registers (fake_phys_set, or
 *                     fake_phys_fresh for a zeroed one): phys_to_virt and
 *                     virt_to_phys translate within it
 *   address spaces    roots are counted (fake_uspace_live), mappings and
 *                     protection changes are accepted and counted
 *   cores             interrupts are a saved flag; arch_cpu_wake counts
 *   cycles            fake_cycles, advanced by the test; arch_tsc_hz is a
 *                     second of it
 *   user registers    struct trap_frame is a plain record of what generic
 *                     code reads and writes; signal frames are recorded
 */
#pragma once

#include <lwk/arch.h>

/* ---- physical memory ------------------------------------------------------ */

void fake_phys_set(void *mem, uint64_t base, uint64_t size);
/* Register @size bytes of zeroed memory at physical @base, mapped once
 * (MAP_NORESERVE: only touched pages cost) and cleared on later calls. */
void *fake_phys_fresh(uint64_t base, uint64_t size);

/* ---- cores ---------------------------------------------------------------- */

/* arch_cpu_wake calls so far. */
extern unsigned int fake_cpu_wakes;

/* ---- user address spaces ---------------------------------------------------- */

/* Roots created and not destroyed; arch_uspace_map calls; the next
 * arch_uspace_create fails with this (0: succeeds). */
extern int fake_uspace_live;
extern unsigned int fake_uspace_maps;
extern int fake_uspace_create_err;

/* ---- user registers ----------------------------------------------------------- */

/* What generic code sees of a thread's user registers. A signal frame
 * written by arch_signal_frame_setup is recorded in it, not in memory. */
struct trap_frame {
	uint64_t pc, sp;
	int64_t ret;	     /* the system call's return value */
	uint64_t restart_nr; /* arch_syscall_restart: run this call again */
	int frame_sig;	     /* the last signal frame: signal, 0 for none */
	uint64_t frame_sp, frame_mask;
};

/* arch_signal_frame_setup fails with this (0: succeeds). */
extern int fake_signal_frame_err;

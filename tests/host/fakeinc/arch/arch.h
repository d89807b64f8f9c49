/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fake arch interface that host unit tests build generic code against
 * (tests/host/fake_arch.c). It declares the part of arch/x86_64's arch.h
 * that the host-built kernel files use, with the same prototypes, and the
 * knobs through which a test sets up and watches the fake:
 *
 *   physical memory   a buffer the test registers (fake_phys_set, or
 *                     fake_phys_fresh for a zeroed one): phys_to_virt and
 *                     virt_to_phys translate within it
 *   address spaces    roots are counted (fake_uspace_live), mappings and
 *                     protection changes are accepted and counted
 *   cores             interrupts are a saved flag; arch_cpu_wake counts
 *   user registers    struct trap_frame is a plain record of what generic
 *                     code reads and writes; signal frames are recorded
 */
#pragma once

#include <lwk/types.h>
#include <arch/pause.h>

/* ---- physical memory ------------------------------------------------------ */

void fake_phys_set(void *mem, uint64_t base, uint64_t size);
/* Register @size bytes of zeroed memory at physical @base, mapped once
 * (MAP_NORESERVE: only touched pages cost) and cleared on later calls. */
void *fake_phys_fresh(uint64_t base, uint64_t size);
void *arch_phys_to_virt(paddr_t p);
paddr_t arch_virt_to_phys(const void *v);

/* ---- cores ---------------------------------------------------------------- */

struct cpu;

/* The cycle counter: fake_cycles, advanced by the test; fake_tsc_hz a
 * second of it. */
extern uint64_t fake_cycles;
static inline uint64_t arch_cycles(void)
{
	return fake_cycles;
}

uint64_t arch_tsc_hz(void);

/* The verdict a kernel leaves the machine with (arch_exit aborts). */
enum arch_exit_code {
	ARCH_EXIT_PASS = 0x10,
	ARCH_EXIT_FAIL = 0x11,
	ARCH_EXIT_PANIC = 0x12,
};
__noreturn void arch_exit(enum arch_exit_code code);

uint64_t arch_irq_save(void);
void arch_irq_restore(uint64_t flags);
void arch_cpu_wake(struct cpu *c);
/* arch_cpu_wake calls so far. */
extern unsigned int fake_cpu_wakes;

/* ---- user address spaces ---------------------------------------------------- */

#define ARCH_PROT_READ 1
#define ARCH_PROT_WRITE 2
#define ARCH_PROT_EXEC 4
int arch_uspace_create(uint64_t *root_pa);
int arch_uspace_map(uint64_t root_pa, uint64_t va, paddr_t pa, uint64_t size, unsigned int prot,
		    bool large);
void arch_uspace_destroy(uint64_t root_pa);
int arch_uspace_protect(uint64_t root_pa, uint64_t va, uint64_t size, unsigned int prot);
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
	int64_t ret;	     /* the system call's return value (rax) */
	uint64_t restart_nr; /* arch_syscall_restart: run this call again */
	int frame_sig;	     /* the last signal frame: signal, 0 for none */
	uint64_t frame_sp, frame_mask;
};

void arch_syscall_set_return(struct trap_frame *tf, int64_t v);
uint64_t arch_frame_user_sp(const struct trap_frame *tf);
uint64_t arch_frame_pc(const struct trap_frame *tf);
uint64_t arch_frame_return_value(const struct trap_frame *tf);
/* arch_signal_frame_setup fails with this (0: succeeds). */
extern int fake_signal_frame_err;

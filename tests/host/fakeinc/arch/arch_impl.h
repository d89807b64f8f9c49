/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the fake arch supplies to the generic arch interface (lwk/arch.h)
 * beside out-of-line calls, for the host-built kernel files: the functions
 * an arch may make inline, here plain calls into tests/host/fake_arch.c
 * (tests/host/fake_arch.h says how the fake behaves), and the cycle
 * counter, a variable the test advances.
 */
#pragma once

#include <lwk/types.h>
#include <arch/pause.h>

void *arch_phys_to_virt(paddr_t p);
paddr_t arch_virt_to_phys(const void *v);

extern uint64_t fake_cycles;
static inline uint64_t arch_cycles(void)
{
	return fake_cycles;
}

uint64_t arch_irq_save(void);
void arch_irq_restore(uint64_t flags);
void arch_irq_disable(void);
void arch_irq_enable(void);
void arch_irq_take_pending(void);

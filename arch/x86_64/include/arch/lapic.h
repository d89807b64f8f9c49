/* SPDX-License-Identifier: GPL-2.0-only */
/* Local APIC, in x2APIC mode (MSRs) when the CPU has it, else xAPIC (MMIO). */
#pragma once

#include <lwk/types.h>

void lapic_init(void); /* per core; the boot core maps the MMIO page first */
uint32_t lapic_id(void);
bool lapic_x2apic(void);
void lapic_eoi(void);
/* The one-shot timer: fire VEC_TIMER once the TSC reaches @deadline
 * (TSC-deadline mode, or a one-shot count computed from it). */
void lapic_timer_arm(uint64_t deadline);
void lapic_timer_disarm(void);
uint32_t lapic_read_esr(void);
/* Send a fixed-vector IPI, or INIT/STARTUP; returns -ETIMEDOUT if the
 * previous IPI never left the ICR. */
int lapic_send_ipi(uint32_t apic_id, uint8_t vector);
int lapic_send_init(uint32_t apic_id);
int lapic_send_init_deassert(uint32_t apic_id);
int lapic_send_startup(uint32_t apic_id, uint8_t page);
int lapic_send_nmi(uint32_t apic_id);

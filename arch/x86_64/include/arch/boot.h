/* SPDX-License-Identifier: GPL-2.0-only */
/* What the boot paths (boot/pc/start.c, boot/partition.c) need from x86_64
 * before the kernel proper runs. */
#pragma once

#include <lwk/types.h>

/* Make cpus[0] the running boot core, on the stack that ends at
 * @stack_top: its APIC ID, exception handling (IDT and IST stacks), GDT,
 * TSS and per-CPU pointer, so that faults are reported from here on.
 * Touches no I/O port and converts no image address to a physical one.
 * Returns the boot core's APIC ID. */
uint32_t arch_boot_cpu_early_init(uint64_t stack_top);

/* The PC loader path (GRUB, QEMU -kernel) hands over the whole machine:
 * COM1 is the console (COM2/COM3 carry a bare program's output), QEMU's
 * exit port takes the verdict, and the legacy PICs are masked, until the
 * boot description says otherwise (arch_devices_setup). Without this call
 * (partition mode) the kernel touches no port and no device but its own
 * cores' local APICs. */
void arch_pc_machine_init(void);
bool arch_pc_machine_owned(void);
/* Measure the TSC's frequency and use it; returns it (0: unknown). PC
 * path only: it may use the PIT. */
uint64_t arch_tsc_calibrate(void);
/* The CMOS real-time clock's register @reg. PC path only. */
uint8_t arch_cmos_read(uint8_t reg);

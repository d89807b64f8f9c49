/* SPDX-License-Identifier: GPL-2.0-only */
/* Bringing cores online, the idle loop, and running work on another core. */
#pragma once

#include <lwk/bootdesc.h>
#include <lwk/cpu.h>

enum idle_mode { IDLE_HALT, IDLE_POLL };

void cpus_set_idle_mode(enum idle_mode mode);
enum idle_mode cpus_idle_mode(void);
/* Fill cpus[] from the boot description (cpu 0 = the running core). */
/* The per-CPU blocks of the boot description's cores; -ENOMEM if their
 * counters cannot be allocated. */
int cpus_setup(const struct bootdesc *bd, uint32_t boot_apic_id);
/* Start every other core; returns how many failed to come online. */
unsigned int cpus_start_all(const struct bootdesc *bd);
unsigned int cpus_online(void);
/* Have @c run fn(arg) from its idle loop. */
void cpus_call(struct cpu *c, void (*fn)(void *), void *arg);
/* Wait until @c finished its last call; false after @timeout_us. */
bool cpus_wait(struct cpu *c, uint64_t timeout_us);
__noreturn void cpus_idle_loop(void);
/* Halt this core until an IPI or CLOCK_MONOTONIC @deadline_ns (0: no
 * deadline), unless it has work or threads to run, or @news (if not NULL)
 * says there is something to do: it is asked after the core said it halts
 * (the channel's cpu_halted[]), so that news published before a host read
 * that is never slept through (the service core's halt). */
void cpus_halt_until(uint64_t deadline_ns, bool (*news)(void));

/* Shutdown: halt every other online core for good, interrupts off, and
 * wait (bounded) until each says it has; false if one did not. */
bool cpus_stop_others(void);
/* In an NMI: was this core told to stop by cpus_stop_others()? */
bool cpus_stop_requested(void);
/* The stopped core's end: say so, then halt. */
__noreturn void cpus_stopped(void);

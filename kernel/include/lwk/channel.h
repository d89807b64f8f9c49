/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's side of the channel (uapi/lwk/channel.h): laid out at boot
 * in the boot description's lwk,channel range, if it names one (VM and
 * partition modes; bare runs and ktests have none).
 */
#pragma once

#include <lwk/types.h>
#include <uapi/lwk/channel.h>

struct bootdesc;
struct proc;

/* Lay the channel out (state BOOTING); false if the boot description names
 * none. */
bool channel_init(const struct bootdesc *bd);
bool channel_present(void);
struct lwk_chan_header *channel_header(void);
/* Forwarded-call slot @index (a kernel thread slot index) of process
 * entry @proc. */
struct lwk_chan_slot *channel_slot(unsigned int proc, unsigned int index);
/* Which entry @cp is (0 .. LWK_CHAN_MAX_PROCS - 1), or -1. */
int channel_proc_index(const struct lwk_chan_proc *cp);
/* The process-control entry @index (0 .. LWK_CHAN_MAX_PROCS - 1). */
struct lwk_chan_proc *channel_proc(unsigned int index);
/* State READY / PANICKED (with the panic line). */
void channel_set_ready(void);
void channel_set_panicked(const char *line);
/* After publishing something a proxy waits for in @cp (a forwarded
 * request, a control reply, its process's end): ring Linux's doorbell
 * (lwk,notify-ipi) if there is one and the proxy sleeps (host_waiting). */
void channel_notify_host(struct lwk_chan_proc *cp);
/* The doorbell (channel_init sets it from lwk,notify-ipi; ktests too). */
void channel_doorbell_setup(bool on, uint32_t vector, uint32_t hw_id);
/* Does the host ring us (LWK_IOC_RING, partition mode) when it publishes
 * something for a halted core? Then a core may halt with no timer while
 * it waits for the host. A host with a doorbell from us has one to us:
 * only lwk.ko gives the LWK lwk,notify-ipi. */
bool channel_host_rings(void);
/* How many doorbells rang since boot. */
uint64_t channel_doorbells(void);

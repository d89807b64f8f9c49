/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The service core: core 0 of a partition with a channel. It runs no
 * application thread; it answers the process-control commands of the
 * proxies (CREATE, EXEC, START, RELEASE: uapi/lwk/channel.h; read by
 * ctl_command_read and answered by ctl_reply_post, service_ctl.c), passes
 * their signals on, watches their leases, keeps the channel header
 * current, and powers the partition off when lwkctl asks.
 */
#pragma once

#include <lwk/types.h>
#include <uapi/lwk/channel.h>

/* cpu_pid[] of a core that a CREATE gave to an entry whose process does
 * not exist yet (EXEC makes it and the pid replaces this). */
#define SERVICE_CPU_PID_PENDING LWK_CHAN_CPU_LOADING

/* Take stock of the memory processes can be given (header mem_total);
 * once every core is up. */
void service_init(void);
/* One pass over the channel: shutdown, each entry's processes, signals,
 * lease and control command. True if there was anything to do. ktests
 * call it directly to play both sides. */
bool service_poll(void);
/* The service loop: READY, then poll forever with a back-off. */
__noreturn void service_run(void);

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-ins for what the service core (kernel/channel/service*.c)
 * calls besides memory: the channel (a header and entries in host
 * memory), the cores (cpus[], online or not; work handed to a core runs
 * at once), and exec_create (a fake process with real user memory, and a
 * record of what it was asked to run).
 */
#pragma once

#include <lwk/exec.h>
#include <uapi/lwk/channel.h>

/* What the last exec_create was given (argv and envp joined by spaces). */
struct fake_exec_record {
	unsigned int calls;
	uint64_t image_size, interp_size, mem;
	char argv[256], envp[256];
};
extern struct fake_exec_record fake_exec;
/* exec_create fails with this and the message (0: it succeeds). */
extern int fake_exec_err;
/* thread_start calls, and the core of the last one. */
extern unsigned int fake_thread_starts;
extern struct cpu *fake_thread_start_core;

/* A partition of @n cores, all online (core 0 the service core), with an
 * empty channel and fresh memory (fake_kernel_reset); service_init() has
 * run. */
void fake_service_reset(unsigned int n);
/* channel_notify_host calls so far (the doorbell's fake). */
extern unsigned int fake_notify_calls;

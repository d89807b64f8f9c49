// SPDX-License-Identifier: GPL-2.0-only
/* Host stand-ins for the channel, the cores and exec_create
 * (fake_service.h). Built with -Ikernel/channel, for the service
 * core's own records that it resets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lwk/arch.h>
#include <lwk/channel.h>
#include <lwk/check.h>
#include <lwk/cpus.h>
#include <lwk/errno.h>
#include <lwk/service.h>
#include "fake_kernel.h"
#include "fake_service.h"
#include "service_internal.h"

struct cpu cpus[LWK_BD_MAX_CPUS];
unsigned int ncpus;

struct fake_exec_record fake_exec;
int fake_exec_err;
unsigned int fake_thread_starts;
struct cpu *fake_thread_start_core;

static struct lwk_chan_header chan_header;
static struct lwk_chan_proc chan_procs[LWK_CHAN_MAX_PROCS];

struct lwk_chan_header *channel_header(void)
{
	return &chan_header;
}

struct lwk_chan_proc *channel_proc(unsigned int index)
{
	CHECK(index < LWK_CHAN_MAX_PROCS);
	return &chan_procs[index];
}

void channel_set_ready(void)
{
}

unsigned int fake_notify_calls;

void channel_notify_host(struct lwk_chan_proc *cp)
{
	fake_notify_calls++;
}

bool channel_host_rings(void)
{
	return false; /* a VM's: the service core halts on a timer */
}

uint64_t channel_doorbells(void)
{
	return fake_notify_calls;
}

bool cpus_stop_others(void)
{
	return true;
}

unsigned int cpus_online(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < ncpus; i++)
		n += cpus[i].state == CPU_ONLINE;
	return n;
}

void cpus_call(struct cpu *c, void (*fn)(void *), void *arg)
{
	fn(arg);
}

bool cpus_wait(struct cpu *c, uint64_t timeout_us)
{
	return true;
}

void cpus_halt_until(uint64_t deadline_ns, bool (*news)(void))
{
	fprintf(stderr, "fake_service: the service core halts\n");
	abort();
}

static void strings_join(char *out, size_t n, const char *const *v)
{
	out[0] = '\0';
	for (; *v; v++) {
		if (out[0])
			strncat(out, " ", n - strlen(out) - 1);
		strncat(out, *v, n - strlen(out) - 1);
	}
}

int exec_create(const struct exec_request *req, struct proc **proc, struct thread **thread,
		uint64_t *entry, uint64_t *sp, char *err, size_t errlen)
{
	struct proc *p;

	fake_exec.calls++;
	fake_exec.image_size = req->image_size;
	fake_exec.interp_size = req->interp_size;
	fake_exec.mem = req->mem;
	strings_join(fake_exec.argv, sizeof(fake_exec.argv), req->argv);
	strings_join(fake_exec.envp, sizeof(fake_exec.envp), req->envp);
	if (fake_exec_err) {
		snprintf(err, errlen, "fake exec refused");
		return fake_exec_err;
	}
	p = fake_proc_new(1, req->mem);
	if (!p) {
		snprintf(err, errlen, "no memory");
		return -ENOMEM;
	}
	strlcpy(p->name, req->argv[0], sizeof(p->name));
	*proc = p;
	*thread = p->threads[0];
	*entry = 0x401000;
	*sp = 0x7ff000;
	return 0;
}

void proc_destroy(struct proc *p)
{
	fake_proc_destroy(p);
}

void proc_kill(struct proc *p)
{
	proc_kill_locked(p, SIGKILL);
}

int proc_signal(struct proc *p, int sig)
{
	return 0;
}

unsigned int proc_kill_again(struct proc *p)
{
	return p->nthreads;
}

void thread_start(struct thread *t, struct cpu *cpu, uint64_t entry, uint64_t sp)
{
	fake_thread_starts++;
	fake_thread_start_core = cpu;
}

void fake_service_reset(unsigned int n)
{
	CHECK(n <= LWK_BD_MAX_CPUS);
	fake_kernel_reset();
	memset(cpus, 0, sizeof(cpus));
	for (unsigned int i = 0; i < n; i++)
		cpus[i] = (struct cpu){ .self = &cpus[i], .id = i, .state = CPU_ONLINE };
	ncpus = n;
	memset(&chan_header, 0, sizeof(chan_header));
	memset(chan_procs, 0, sizeof(chan_procs));
	memset(svc_entries, 0, sizeof(svc_entries));
	memset(svc_core_owner, 0, sizeof(svc_core_owner));
	svc_promised = 0;
	memset(&fake_exec, 0, sizeof(fake_exec));
	fake_exec_err = 0;
	fake_thread_starts = 0;
	fake_thread_start_core = NULL;
	service_init();
}

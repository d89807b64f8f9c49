// SPDX-License-Identifier: GPL-2.0-only
/* Host stand-ins for the scheduler, process ends, clocks and the log
 * (fake_kernel.h), and the fake process fixture. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lwk/arch.h>
#include <lwk/check.h>
#include <lwk/cpu.h>
#include <lwk/errno.h>
#include <lwk/log.h>
#include <lwk/pmem.h>
#include <lwk/sched.h>
#include "fake_arch.h"
#include "fake_kernel.h"

/* Fake physical memory for fake processes: 256 MiB at 4 GiB. */
#define FAKE_PROC_PHYS GiB(4)
#define FAKE_PROC_PHYS_SIZE MiB(256)
#define FAKE_BLOCK_LIMIT 1000 /* a test that blocks this often is stuck */

struct thread *fake_current;
bool (*fake_block_hook)(struct thread *t, uint64_t deadline_ns);
unsigned int fake_wakes;
uint64_t fake_now_ns;
int fake_killed_status = -1;
char fake_log_last[256];
jmp_buf fake_exit_jmp;
int fake_exit_status = -1;

static unsigned int fake_blocks;

struct thread *thread_current(void)
{
	return fake_current;
}

void sched_wake(struct thread *t)
{
	fake_wakes++;
	if (t->state == THREAD_BLOCKED)
		t->state = THREAD_RUNNABLE;
	else
		t->wake_pending = true;
}

bool sched_block(uint64_t deadline_ns)
{
	struct thread *t = fake_current;
	bool timed_out;

	if (!fake_block_hook || ++fake_blocks > FAKE_BLOCK_LIMIT) {
		fprintf(stderr, "fake_kernel: thread %d blocks and nothing can wake it\n", t->tid);
		abort();
	}
	if (t->wake_pending) {
		t->wake_pending = false;
		return false;
	}
	t->state = THREAD_BLOCKED;
	timed_out = fake_block_hook(t, deadline_ns);
	t->state = THREAD_RUNNING;
	return timed_out;
}

__noreturn void proc_exit(struct proc *p, int wait_status)
{
	fake_exit_status = wait_status;
	longjmp(fake_exit_jmp, 1);
}

__noreturn void proc_user_fault(int signo, uint64_t rip, uint64_t addr, const char *what)
{
	fake_exit_status = signo;
	longjmp(fake_exit_jmp, 1);
}

void proc_kill_locked(struct proc *p, int wait_status)
{
	if (!p->exiting)
		fake_killed_status = wait_status;
	p->exiting = true;
}

struct thread *proc_find_thread(struct proc *p, int tid)
{
	for (unsigned int i = 0; i < p->nthreads; i++) {
		struct thread *o = p->threads[i];

		if (o->tid == tid && o->state != THREAD_DEAD && o->state != THREAD_NEW)
			return o;
	}
	return NULL;
}

uint64_t time_monotonic_ns(void)
{
	return fake_now_ns;
}

uint64_t time_realtime_offset_ns(void)
{
	return 0;
}

/* Unchecked: the host tests give well-formed timeouts. */
int time_timespec_in(uint64_t uva, uint64_t *ns)
{
	int64_t ts[2];

	if (uvm_copy_in(&fake_current->proc->uvm, ts, uva, sizeof(ts)))
		return -EFAULT;
	*ns = (uint64_t)ts[0] * 1000000000ull + (uint64_t)ts[1];
	return 0;
}

void log_write(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake_log_last, sizeof(fake_log_last), fmt, ap);
	va_end(ap);
}

void fake_kernel_reset(void)
{
	fake_current = NULL;
	fake_block_hook = NULL;
	fake_blocks = 0;
	fake_wakes = 0;
	fake_cpu_wakes = 0;
	fake_now_ns = 0;
	fake_killed_status = -1;
	fake_exit_status = -1;
	fake_log_last[0] = '\0';
	fake_signal_frame_err = 0;
	fake_phys_fresh(FAKE_PROC_PHYS, FAKE_PROC_PHYS_SIZE);
	pmem_reset();
	CHECK(!pmem_add(pa_make(FAKE_PROC_PHYS), FAKE_PROC_PHYS_SIZE));
}

static struct cpu *fake_core(void)
{
	static struct cpu *core;

	if (!core)
		core = calloc(1, sizeof(*core));
	return core;
}

struct proc *fake_proc_new(unsigned int nthreads, uint64_t mem)
{
	struct proc *p = calloc(1, sizeof(*p));

	CHECK(p && nthreads <= PROC_MAX_THREADS);
	if (uvm_create(&p->uvm, mem) || uvm_arena_init(&p->uvm, true)) {
		free(p);
		return NULL;
	}
	p->pid = 100;
	for (unsigned int i = 0; i < nthreads; i++) {
		struct thread *t = calloc(1, sizeof(*t));

		CHECK(t);
		*t = (struct thread){
			.tid = 100 + (int)i, .state = THREAD_RUNNING, .proc = p, .cpu = fake_core()
		};
		p->threads[p->nthreads++] = t;
	}
	p->nlive = nthreads;
	return p;
}

struct proc *fake_proc_create(unsigned int nthreads, uint64_t mem)
{
	struct proc *p;

	fake_kernel_reset();
	p = fake_proc_new(nthreads, mem);
	CHECK(p);
	fake_current = nthreads ? p->threads[0] : NULL;
	return p;
}

void fake_proc_destroy(struct proc *p)
{
	for (unsigned int i = 0; i < p->nthreads; i++)
		free(p->threads[i]);
	uvm_destroy(&p->uvm);
	free(p);
	fake_current = NULL;
}

#if defined(__GLIBC__) && !__GLIBC_PREREQ(2, 38)
/* fakeinc/string.h declares it for the kernel files that use it. */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	return (size_t)snprintf(dst, size, "%s", src);
}
#endif

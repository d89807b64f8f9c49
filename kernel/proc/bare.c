// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bare runs: the boot description names one static program (/program); the
 * kernel runs it with no proxy attached and reports how it ended on the
 * console, where lwkctl bare reads it:
 *   lwk: bare: exit status N
 *   lwk: bare: killed by signal N
 *   lwk: bare: cannot run PROG: REASON
 */
#include <stdio.h>
#include <string.h>
#include <lwk/arch.h>
#include <lwk/bootdesc.h>
#include <lwk/counters.h>
#include <lwk/cpus.h>
#include <lwk/exec.h>
#include <lwk/log.h>
#include <lwk/pmem.h>

#define BARE_MAX_STRINGS 4096
#define BARE_HEADROOM MiB(16) /* kept for page tables and kernel stacks */

static const char *argv_ptrs[BARE_MAX_STRINGS + 1];
static const char *envp_ptrs[BARE_MAX_STRINGS + 1];

/* A NUL-separated list into a NULL-terminated array; false if too many. */
static bool split_strings(const char *s, uint32_t len, const char **out)
{
	unsigned int n = 0;

	for (uint32_t off = 0; off < len; off += strlen(s + off) + 1) {
		if (n == BARE_MAX_STRINGS)
			return false;
		out[n++] = s + off;
	}
	out[n] = NULL;
	return true;
}

static uint64_t bare_mem(const struct bootdesc *bd, char *err, size_t errlen)
{
	uint64_t free = pmem_free_bytes();
	uint64_t avail = free > BARE_HEADROOM ? ALIGN_DOWN(free - BARE_HEADROOM, MiB(2)) : 0;
	uint64_t want = bd->program.mem ? bd->program.mem : avail;

	if (want > avail || want < MiB(16)) {
		snprintf(
		    err, errlen,
		    "%llu MiB asked, %llu MiB available (at least 16 MiB); use --mem to choose",
		    (unsigned long long)(want >> 20), (unsigned long long)(avail >> 20));
		return 0;
	}
	return want;
}

static __noreturn void bare_fail(const char *prog, const char *why)
{
	log_raw("lwk: bare: cannot run %s: %s\n", prog, why);
	arch_exit(ARCH_EXIT_PASS); /* the kernel did its job; the verdict is the line */
}

__noreturn void bare_run(const struct bootdesc *bd)
{
	char err[200];
	struct exec_request req = {
		.image = arch_phys_to_virt(pa_make(bd->program.image.base)),
		.image_size = bd->program.image.size,
		.interp = bd->program.interp.size
			      ? arch_phys_to_virt(pa_make(bd->program.interp.base))
			      : NULL,
		.interp_size = bd->program.interp.size,
		.argv = argv_ptrs,
		.envp = envp_ptrs,
	};
	struct proc *p;
	struct thread *t;
	uint64_t entry, sp;

	if (!split_strings(bd->program.argv, bd->program.argv_len, argv_ptrs) ||
	    !split_strings(bd->program.envp, bd->program.envp_len, envp_ptrs))
		bare_fail("the program", "more than 4096 arguments or environment strings");
	req.mem = bare_mem(bd, err, sizeof(err));
	if (!req.mem)
		bare_fail(argv_ptrs[0], err);
	if (exec_create(&req, &p, &t, &entry, &sp, err, sizeof(err)))
		bare_fail(argv_ptrs[0], err);
	p->ended = bare_process_ended;
	/* All the cores; proc_next_core skips any that failed to start. */
	for (unsigned int i = 0; i < ncpus; i++)
		p->cores[i] = i;
	p->ncores = ncpus;
	p->next_core = 1 % p->ncores; /* the first thread has core 0 */
	log_info("bare: pid %d runs %s with %llu MiB on %u cores", p->pid, argv_ptrs[0],
		 (unsigned long long)(p->uvm.reserved >> 20), cpus_online());
	thread_start(t, this_cpu(), entry, sp);
	cpus_idle_loop(); /* this core now runs the program's first thread */
}

/* Every thread of the program is gone: the run ends here, with the
 * counters (lwkctl bare --stats) and the verdict line. */
void bare_process_ended(struct proc *p)
{
	int status = p->exit_status;

	counters_report();
	if (status & 0x7f)
		log_raw("lwk: bare: killed by signal %d\n", status & 0x7f);
	else
		log_raw("lwk: bare: exit status %d\n", (status >> 8) & 0xff);
	arch_exit(ARCH_EXIT_PASS);
}

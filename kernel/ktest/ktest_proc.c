// SPDX-License-Identifier: GPL-2.0-only
/* Test processes for ktests that run user code (lwk/ktest_proc.h). */
#include <string.h>
#include <lwk/arch.h>
#include <lwk/ktest_proc.h>

static volatile int procs_ended;
static volatile int last_status;

static void ktest_proc_ended(struct proc *p)
{
	last_status = p->exit_status;
	__atomic_add_fetch(&procs_ended, 1, __ATOMIC_SEQ_CST);
}

struct proc *ktest_proc_create(const char *name, const char *code, const char *code_end, bool arena)
{
	uint64_t size = (uint64_t)(code_end - code);
	struct proc *p;

	if (proc_create(KTEST_PROC_MEM, name, &p))
		return NULL;
	if (uvm_map_region(&p->uvm, KTEST_CODE_VA, MiB(2), ARCH_PROT_READ | ARCH_PROT_EXEC,
			   UVM_CONTIG) ||
	    uvm_map_region(&p->uvm, KTEST_CTL_VA, MiB(2), ARCH_PROT_READ | ARCH_PROT_WRITE,
			   UVM_CONTIG) ||
	    (arena && uvm_arena_init(&p->uvm, true))) {
		proc_destroy(p);
		return NULL;
	}
	memcpy(uvm_kaddr(&p->uvm, KTEST_CODE_VA, size, 0), code, size);
	p->ended = ktest_proc_ended;
	return p;
}

uint64_t ktest_user_va(const char *code, const char *sym)
{
	return KTEST_CODE_VA + (uint64_t)(sym - code);
}

int ktest_procs_ended(void)
{
	return procs_ended;
}

int ktest_proc_last_status(void)
{
	return last_status;
}

uint64_t ktest_deadline_ms(uint64_t ms)
{
	return arch_cycles() + arch_tsc_hz() / 1000 * ms;
}

bool ktest_procs_wait(int want, uint64_t ms)
{
	uint64_t end = ktest_deadline_ms(ms);

	while (procs_ended < want && arch_cycles() < end)
		arch_pause();
	return procs_ended >= want;
}

// SPDX-License-Identifier: GPL-2.0-only
/* The host stand-in for the arch layer (fake_arch.h says what it
 * fakes): "physical memory" is a buffer that a test registers, so
 * allocators and user memory can be exercised under ASan. */
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <lwk/arch.h>
#include <lwk/check.h>
#include <lwk/errno.h>
#include <lwk/signal.h>
#include "fake_arch.h"

static uint8_t *fake_mem;
static uint64_t fake_base, fake_size;

uint64_t fake_cycles;
unsigned int fake_cpu_wakes;
int fake_uspace_live;
unsigned int fake_uspace_maps;
int fake_uspace_create_err;
int fake_signal_frame_err;

void fake_phys_set(void *mem, uint64_t base, uint64_t size)
{
	fake_mem = mem;
	fake_base = base;
	fake_size = size;
}

void *fake_phys_fresh(uint64_t base, uint64_t size)
{
	static uint8_t *mem;
	static uint64_t mem_size;

	if (mem && mem_size < size) {
		munmap(mem, mem_size);
		mem = NULL;
	}
	if (!mem) {
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (mem == MAP_FAILED) {
			perror("fake_arch: mmap");
			abort();
		}
		mem_size = size;
	} else {
		madvise(mem, mem_size, MADV_DONTNEED);
	}
	fake_phys_set(mem, base, size);
	return mem;
}

/* Outside the registered memory, a pointer that faults when used (a
 * non-canonical address): like the real direct map, translating is
 * arithmetic, and code may compute a pointer it then does not use. */
#define FAKE_UNMAPPED 0xdead000000000000ull

void *arch_phys_to_virt(paddr_t p)
{
	uint64_t pa = pa_addr(p);

	if (!fake_mem || pa < fake_base || pa >= fake_base + fake_size)
		return (void *)(uintptr_t)(FAKE_UNMAPPED | (pa & 0xffffffffffffull));
	return fake_mem + (pa - fake_base);
}

paddr_t arch_virt_to_phys(const void *v)
{
	const uint8_t *p = v;

	if (!fake_mem || p < fake_mem || p >= fake_mem + fake_size) {
		fprintf(stderr, "fake_arch: %p is not in physical memory\n", v);
		abort();
	}
	return pa_make(fake_base + (uint64_t)(p - fake_mem));
}

/* One core, no interrupts to take: only the nesting is kept honest. */
static bool irqs_off;

uint64_t arch_irq_save(void)
{
	uint64_t was_on = !irqs_off;

	irqs_off = true;
	return was_on;
}

void arch_irq_restore(uint64_t flags)
{
	if (flags)
		irqs_off = false;
}

void arch_irq_disable(void)
{
	irqs_off = true;
}

void arch_irq_enable(void)
{
	irqs_off = false;
}

/* Nothing is ever pending. */
void arch_irq_take_pending(void)
{
}

void arch_cpu_wake(struct cpu *c)
{
	fake_cpu_wakes++;
}

int arch_uspace_create(uint64_t *root_pa)
{
	static uint64_t next_root = 0x1000;

	if (fake_uspace_create_err)
		return fake_uspace_create_err;
	*root_pa = next_root;
	next_root += 0x1000;
	fake_uspace_live++;
	return 0;
}

int arch_uspace_map(uint64_t root_pa, uint64_t va, paddr_t pa, uint64_t size, unsigned int prot,
		    bool large)
{
	CHECK(root_pa && size);
	fake_uspace_maps++;
	return 0;
}

void arch_uspace_destroy(uint64_t root_pa)
{
	CHECK(fake_uspace_live > 0);
	fake_uspace_live--;
}

int arch_uspace_protect(uint64_t root_pa, uint64_t va, uint64_t size, unsigned int prot)
{
	CHECK(root_pa);
	return 0;
}

void arch_syscall_set_return(struct trap_frame *tf, int64_t v)
{
	tf->ret = v;
}

void arch_syscall_restart(struct trap_frame *tf, uint64_t nr)
{
	tf->restart_nr = nr;
}

uint64_t arch_frame_user_sp(const struct trap_frame *tf)
{
	return tf->sp;
}

uint64_t arch_frame_pc(const struct trap_frame *tf)
{
	return tf->pc;
}

uint64_t arch_frame_return_value(const struct trap_frame *tf)
{
	return (uint64_t)tf->ret;
}

int arch_signal_frame_setup(struct thread *t, struct trap_frame *tf, uint64_t sp, int sig,
			    const struct ksiginfo *info, const struct k_sigaction *ka,
			    uint64_t old_mask)
{
	if (fake_signal_frame_err)
		return fake_signal_frame_err;
	tf->frame_sig = sig;
	tf->frame_sp = sp;
	tf->frame_mask = old_mask;
	tf->pc = ka->handler;
	return 0;
}

int arch_signal_frame_restore(struct thread *t, struct trap_frame *tf, uint64_t *mask)
{
	if (!tf->frame_sig)
		return -EFAULT;
	*mask = tf->frame_mask;
	tf->frame_sig = 0;
	return 0;
}

int arch_siginfo_copy_out(struct thread *t, uint64_t uva, int sig, const struct ksiginfo *info)
{
	return 0;
}

uint64_t arch_tsc_hz(void)
{
	return 1000000000;
}

__noreturn void arch_exit(enum arch_exit_code code)
{
	fprintf(stderr, "fake_arch: arch_exit(0x%x)\n", code);
	abort();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "panic: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

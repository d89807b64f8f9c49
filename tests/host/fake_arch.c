// SPDX-License-Identifier: GPL-2.0-only
/* The host stand-in for the arch layer: "physical memory" is a buffer that
 * a test registers, so allocators can be exercised under ASan. */
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <arch/arch.h>
#include <lwk/check.h>

static uint8_t *fake_mem;
static uint64_t fake_base, fake_size;

void fake_phys_set(void *mem, uint64_t base, uint64_t size)
{
	fake_mem = mem;
	fake_base = base;
	fake_size = size;
}

void *arch_phys_to_virt(paddr_t p)
{
	uint64_t pa = pa_addr(p);

	if (!fake_mem || pa < fake_base || pa >= fake_base + fake_size) {
		fprintf(stderr, "fake_arch: physical 0x%llx is not mapped\n",
			(unsigned long long)pa);
		abort();
	}
	return fake_mem + (pa - fake_base);
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

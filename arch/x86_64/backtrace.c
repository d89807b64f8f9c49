// SPDX-License-Identifier: GPL-2.0-only
/* Backtrace by frame pointers (the kernel is built with them). Each frame
 * is checked before it is read, so a corrupt stack ends the walk instead of
 * faulting inside the panic. Addresses resolve with
 * "addr2line -f -e build/lwk.elf ADDR", or build/lwk-ktest.elf for the ktest
 * image (the test runner does it for you). */
#include <lwk/arch.h>
#include <arch/x86.h>
#include <lwk/log.h>
#include <lwk/panic.h>

static bool frame_readable(uint64_t rbp)
{
	bool w, x;

	return rbp >= DIRECT_MAP && IS_ALIGNED(rbp, 8) && arch_mmu_query(rbp, &w, &x) &&
	       arch_mmu_query(rbp + 8, &w, &x);
}

void arch_backtrace(uint64_t rbp, uint64_t rip)
{
	log_raw("  backtrace:\n    [<%016llx>]\n", (unsigned long long)rip);
	for (int depth = 0; depth < 24 && rbp; depth++) {
		uint64_t ret;

		if (!frame_readable(rbp)) {
			log_raw("    (frame pointer 0x%llx is not readable)\n",
				(unsigned long long)rbp);
			return;
		}
		ret = ((uint64_t *)rbp)[1];
		if (ret < KERNEL_VMA)
			return;
		log_raw("    [<%016llx>]\n", (unsigned long long)ret);
		rbp = ((uint64_t *)rbp)[0];
	}
}

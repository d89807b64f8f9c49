/* SPDX-License-Identifier: GPL-2.0-only */
/* The spin-wait hint, apart from the rest of the arch interface (lwk/arch.h)
 * so that lwk/spinlock.h can have it alone (host tests build it too). */
#pragma once

static inline void arch_pause(void)
{
	__builtin_ia32_pause();
}

/* SPDX-License-Identifier: GPL-2.0-only */
/* The fake arch's spin-wait hint: host tests never wait on another core. */
#pragma once

static inline void arch_pause(void)
{
}

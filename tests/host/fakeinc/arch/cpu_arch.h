/* SPDX-License-Identifier: GPL-2.0-only */
/* The fake arch's part of struct cpu: nothing, the host has no per-core
 * hardware state to keep. */
#pragma once

struct cpu_arch {
};

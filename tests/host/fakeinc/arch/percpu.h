/* SPDX-License-Identifier: GPL-2.0-only */
/* The running core's struct cpu: host-built code never asks (tests hand
 * cores around explicitly), so the fake declares it and defines nothing;
 * a use fails to link. */
#pragma once

struct cpu *arch_this_cpu(void);

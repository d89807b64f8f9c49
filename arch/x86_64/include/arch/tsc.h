/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

#include <lwk/types.h>

uint64_t tsc_measure_hz(void);
void tsc_set_hz(uint64_t hz);

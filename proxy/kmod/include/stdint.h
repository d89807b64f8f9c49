/* SPDX-License-Identifier: GPL-2.0-only */
/* The ABI headers (uapi/lwk) include <stdint.h>; inside the Linux kernel the
 * fixed-width types come from <linux/types.h>. */
#pragma once

#include <linux/types.h>

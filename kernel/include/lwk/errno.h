/* SPDX-License-Identifier: GPL-2.0-only */
/* Linux errno values; the kernel returns them negated (-EINVAL). */
#pragma once

#include <uapi/lwk/errno.h>

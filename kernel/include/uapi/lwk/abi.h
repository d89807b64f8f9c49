/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/* The version of the ABI shared by the kernel, lwk.ko and the proxy. Bump it
 * on any incompatible change to a header under uapi/lwk/. */
#pragma once

#define LWK_ABI_VERSION 6

#define LWK_STATIC_ASSERT(expr) _Static_assert(expr, #expr)

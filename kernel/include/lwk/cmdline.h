/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel command line: space-separated "key=value" or "key" words. */
#pragma once

#include <lwk/types.h>

/* Copy the value of @key into @buf. Returns true if the key is present
 * ("key" alone yields an empty value). A later occurrence wins. */
bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t len);

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel command line: words separated by blanks (spaces, tabs, line
 * ends), each "key=value" or a bare "key". A later word overrides an earlier
 * one, as on Linux. Pure string logic with no kernel dependencies: the boot
 * shim uses it too, in the kernel and in host tests.
 */
#pragma once

#include <lwk/types.h>

/* Copy the value of @key into @buf. Returns true if the key is present
 * ("key" alone yields an empty value). A later occurrence wins. */
bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t len);

/* The value of the last "@key=VALUE" word, *@len bytes long and not
 * NUL-terminated; NULL if there is none. A bare "@key" does not count. */
const char *cmdline_value(const char *cmdline, const char *key, size_t *len);

/* A number, decimal or 0x hex, of exactly @len characters, at most @max.
 * No sign and no blanks: "1,-2" or " 3" are not lists of numbers here. */
bool cmdline_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);

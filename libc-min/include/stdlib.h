/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);

/* SPDX-License-Identifier: GPL-2.0-only */
/* libc-min: the printf family's formatting core (no FILE streams here). */
#pragma once

#include <stdarg.h>
#include <stddef.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel log: level-filtered lines with a TSC timestamp and the core
 * that wrote them, into the log ring and the serial console. */
#pragma once

#include <lwk/types.h>

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
void log_write(enum log_level level, const char *fmt, ...) __printf(2, 3);
/* Write text as is (no prefix, no filter): for ktest verdict lines and
 * panic reports, which harnesses parse. */
void log_raw(const char *fmt, ...) __printf(1, 2);

#define log_err(...) log_write(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)

/* Copy the last @n bytes of the log ring (fewer if less was written) into
 * @buf and NUL-terminate; returns the number of bytes copied. */
size_t log_tail(char *buf, size_t n);
/* Move the log into @r, a ring of @size data bytes in memory Linux can
 * read (the channel), keeping what is logged so far. */
struct lwk_log_ring;
void log_use_ring(struct lwk_log_ring *r, uint32_t size);

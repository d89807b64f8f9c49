/* SPDX-License-Identifier: GPL-2.0-only */
/* libc-min: the printf family's formatting core (no FILE streams here). */
#pragma once

#include <stdarg.h>
#include <stddef.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#ifndef LWK_KERNEL
/* User space only: output to stdout (line-buffered) and stderr (unbuffered).
 * There are no other streams and no input. */
typedef struct lm_file FILE;

extern FILE *stdout;
extern FILE *stderr;

#define EOF (-1)

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int vfprintf(FILE *f, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
int fputs(const char *s, FILE *f);
int puts(const char *s);
int fputc(int c, FILE *f);
int putchar(int c);
int fflush(FILE *f);
#endif

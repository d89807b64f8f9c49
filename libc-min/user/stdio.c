// SPDX-License-Identifier: GPL-2.0-only
/*
 * stdout and stderr on top of vsnprintf. stdout is line-buffered, as
 * test output is read line by line while a program runs; stderr is
 * unbuffered, but one printf is still one write(), so that lines from
 * several processes do not interleave mid-line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

struct lm_file {
	int fd;
	size_t len;  /* bytes waiting in buf */
	size_t size; /* 0: unbuffered */
	char *buf;
};

static char stdout_buf[4096];
static struct lm_file stdout_file = { .fd = STDOUT_FILENO,
				      .size = sizeof(stdout_buf),
				      .buf = stdout_buf };
static struct lm_file stderr_file = { .fd = STDERR_FILENO };
FILE *stdout = &stdout_file;
FILE *stderr = &stderr_file;

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t done = write(fd, p, n);

		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			return EOF;
		p += done;
		n -= done;
	}
	return 0;
}

int fflush(FILE *f)
{
	size_t n;

	if (!f)
		return fflush(stdout) | fflush(stderr);
	/* On a write error the bytes are dropped rather than kept forever. */
	n = f->len;
	f->len = 0;
	return write_all(f->fd, f->buf, n);
}

void stdio_flush_all(void)
{
	fflush(NULL);
}

static int file_put(FILE *f, const char *s, size_t n)
{
	if (!n)
		return 0;
	if (f->len + n > f->size) {
		if (fflush(f))
			return EOF;
		if (n > f->size)
			return write_all(f->fd, s, n);
	}
	memcpy(f->buf + f->len, s, n);
	f->len += n;
	return memchr(s, '\n', n) ? fflush(f) : 0;
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	char small[512], *buf = small;
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	/* Rare long output: format again into a buffer that fits, or print
	 * it cut short if there is no memory for one. */
	if (n >= (int)sizeof(small)) {
		buf = malloc(n + 1);
		if (buf) {
			vsnprintf(buf, n + 1, fmt, again);
		} else {
			buf = small;
			n = sizeof(small) - 1;
		}
	}
	va_end(again);
	if (file_put(f, buf, n))
		n = EOF;
	if (buf != small)
		free(buf);
	return n;
}

int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

int fputs(const char *s, FILE *f)
{
	return file_put(f, s, strlen(s));
}

int fputc(int c, FILE *f)
{
	char ch = (char)c;

	return file_put(f, &ch, 1) ? EOF : (unsigned char)ch;
}

int putchar(int c)
{
	return fputc(c, stdout);
}

int puts(const char *s)
{
	return fputs(s, stdout) ? EOF : fputc('\n', stdout);
}

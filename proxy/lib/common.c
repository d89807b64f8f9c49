// SPDX-License-Identifier: GPL-2.0-only
/* Small helpers that lwkctl and lwkexec share. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

#define SIZE_UNITS "KMGT" /* each 1024 times the one before, from 1 KiB */

static int size_refuse(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int proxy_size_arg(const char *opt, const char *s, uint64_t *out, char *err, size_t errlen)
{
	unsigned long long v = 0;
	const char *unit = NULL;
	char *end = (char *)s;
	int shift;

	errno = 0;
	if (*s >= '0' && *s <= '9') /* strtoull would take " 1", "+1" and "-1" */
		v = strtoull(s, &end, 10);
	if (*end)
		unit = strchr(SIZE_UNITS, toupper((unsigned char)*end));
	if (end == s || (*end && (!unit || end[1])))
		return size_refuse(err, errlen,
				   "%s '%s' is not a size: give a whole number with K, M, G or T, "
				   "like 512M or 2G",
				   opt, s);
	shift = unit ? 10 * (int)(unit - SIZE_UNITS + 1) : 0;
	if (!v)
		return size_refuse(err, errlen, "%s %s is no memory: give a size like 512M or 2G",
				   opt, s);
	if (errno == ERANGE || v > PROXY_SIZE_MAX >> shift)
		return size_refuse(err, errlen, "%s %s is too large: at most %lluT", opt, s,
				   PROXY_SIZE_MAX >> 40);
	*out = (uint64_t)v << shift;
	return 0;
}

int proxy_parse_size(const char *s, uint64_t *out)
{
	return proxy_size_arg("", s, out, NULL, 0);
}

const char *proxy_size_name(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && bytes && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)bytes,
		 bytes == 1 && !u ? "byte" : units[u]);
	return buf;
}

/* What execve(2) asks of a program beyond being a regular file: that we
 * may execute it, and that its mount allows programs (access checks that
 * too). -1 with errno. */
static int program_refused(int fd, const char *path)
{
	if (!faccessat(fd, "", X_OK, AT_EACCESS | AT_EMPTY_PATH))
		return 0;
	if (errno == EINVAL) /* Linux before 5.8: no faccessat2 */
		return eaccess(path, X_OK);
	return -1;
}

/* execve says EACCES for anything but a regular file. */
static int regular(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return 1;
	errno = EACCES;
	return 0;
}

/* Open @path to read it whole, never blocking: a regular file only.
 * stat() first, so that a FIFO or a device is not even opened; fstat()
 * after, so that what is read is what was checked, whatever replaced the
 * path meanwhile. */
static int open_regular(const char *path, int program)
{
	struct stat st;
	int fd, e;

	if (stat(path, &st) || !regular(&st))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (!fstat(fd, &st) && regular(&st) && !(program && program_refused(fd, path)))
		return fd;
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

static void *read_whole(const char *path, size_t *size, int program)
{
	int fd = open_regular(path, program);
	struct stat st;
	char *buf = NULL;
	size_t done = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !(buf = malloc(st.st_size ? (size_t)st.st_size : 1)))
		goto fail;
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n <= 0) {
			errno = n ? errno : EIO;
			goto fail;
		}
		done += (size_t)n;
	}
	close(fd);
	*size = done;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

void *proxy_read_file(const char *path, size_t *size)
{
	return read_whole(path, size, 0);
}

void *proxy_read_program(const char *path, size_t *size)
{
	return read_whole(path, size, 1);
}

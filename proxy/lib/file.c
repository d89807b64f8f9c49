// SPDX-License-Identifier: GPL-2.0-only
/* Reading a file whole, checked as execve checks a program (file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "file.h"
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

void *file_read(const char *path, size_t *size)
{
	return read_whole(path, size, 0);
}

void *file_read_program(const char *path, size_t *size)
{
	return read_whole(path, size, 1);
}

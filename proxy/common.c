// SPDX-License-Identifier: GPL-2.0-only
/* Small helpers that lwkctl and lwkexec share. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

int proxy_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end == 'G' || *end == 'g')
		shift = 30;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'K' || *end == 'k')
		shift = 10;
	if (shift)
		end++;
	if (*end || v == 0 || v > (1ull << 44) >> shift)
		return -1;
	*out = v << shift;
	return 0;
}

void *proxy_read_file(const char *path, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
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

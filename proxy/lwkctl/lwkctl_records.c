// SPDX-License-Identifier: GPL-2.0-only
/*
 * A partition's files as lwkctl boot, status and shutdown change them: the
 * state directory they may write, and the record and memory file they
 * clear away (partition.h says where each lives).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lwkctl.h"
#include "partition.h"

/* Root may unlink anyone's file in /dev/shm: remove only our own. */
static int mem_file_ours(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && st.st_uid == geteuid();
}

int lwkctl_partition_remove(const struct partition *p, int all)
{
	char path[PATH_MAX + 16];
	int r;

	snprintf(path, sizeof(path), "%s/partition", p->dir);
	r = unlink(path) && errno != ENOENT ? -errno : 0;
	if (p->mem_path[0] && mem_file_ours(p->mem_path))
		unlink(p->mem_path);
	if (all) {
		if (p->console[0])
			unlink(p->console);
		rmdir(p->dir);
	}
	return r;
}

int lwkctl_may_manage(const char *what, char *state, size_t len)
{
	char err[PATH_MAX + 256];

	if (partition_state_dir_make(state, len, err, sizeof(err))) {
		fprintf(stderr, "lwkctl: cannot %s a partition: %s\n", what, err);
		return -1;
	}
	if (access(state, W_OK)) {
		fprintf(stderr,
			"lwkctl: cannot %s a partition: the LWK state directory %s is not writable "
			"(%s); set XDG_RUNTIME_DIR to a directory of your own\n",
			what, state, strerror(errno));
		return -1;
	}
	return 0;
}

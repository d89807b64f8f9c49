// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the program sees of itself. Its forwarded calls run in lwkexec, so
 * /proc/self is lwkexec: the few files through which a program looks at
 * itself are answered for the LWK process instead. /proc/self/exe names
 * the program, /proc/self/maps lists its LWK memory, /proc/self/cmdline
 * and comm give its arguments and name, /proc/meminfo and sysinfo give
 * its memory (what of its reservation mmap and brk can have: the arena),
 * and the CPU lists in sysfs count its LWK cores
 * (sched_getaffinity is answered by the LWK itself).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uapi/lwk/layout.h>
#include "service.h"

/* "/proc/<pid>/rest" for the LWK's pid, or /proc/thread-self: the part
 * after the directory ("/rest"), or NULL. */
static const char *proc_self_rest(const struct svc *s, const char *path)
{
	char pid[32];
	size_t n;

	if (!strncmp(path, "/proc/self/", 11))
		return path + 10;
	if (!strncmp(path, "/proc/thread-self/", 18))
		return path + 17;
	n = (size_t)snprintf(pid, sizeof(pid), "/proc/%u/", s->pid);
	if (!strncmp(path, pid, n))
		return path + n - 1;
	return NULL;
}

const char *ident_path(const struct svc *s, const char *path, char *buf, size_t len)
{
	const char *rest = proc_self_rest(s, path);

	if (!rest)
		return path;
	if (!strcmp(rest, "/exe") && snprintf(buf, len, "%s", s->exe) < (int)len)
		return buf;
	if (snprintf(buf, len, "/proc/self%s", rest) < (int)len)
		return buf;
	return path;
}

/* Entries of a /proc/<pid> (or its task/<tid>) directory that expose a
 * process's memory, descriptors or start-up data: for lwkexec's own pid
 * they would hand the program lwkexec itself. The fd, fdinfo and
 * map_files directories may be listed (programs closing their fds do),
 * not their entries. */
static int proc_entry_private(const char *rest)
{
	static const char *const files[] = { "mem", "environ", "auxv", "pagemap" };
	static const char *const dirs[] = { "fd", "fdinfo", "map_files" };
	size_t n = strcspn(rest, "/");

	if (n == 4 && !strncmp(rest, "task", 4)) { /* task/<tid>/entry */
		rest += n;
		if (*rest++ != '/')
			return 0; /* the task directory itself */
		rest += strcspn(rest, "/");
		if (*rest++ != '/')
			return 0;
		n = strcspn(rest, "/");
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strlen(files[i]) == n && !strncmp(rest, files[i], n))
			return 1;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strlen(dirs[i]) == n && !strncmp(rest, dirs[i], n) && rest[n] == '/' &&
		    rest[n + 1])
			return 1;
	return 0;
}

/* Is /proc/<pid> lwkexec (its process or one of its threads)? */
static int proc_pid_ours(unsigned long pid)
{
	char task[64];
	struct stat st;

	if (pid == (unsigned long)getpid())
		return 1;
	snprintf(task, sizeof(task), "/proc/self/task/%lu", pid);
	return stat(task, &st) == 0;
}

/* Does @fd, a file on procfs, name a private entry of lwkexec? Its path
 * as procfs reports it is "/proc/<pid>/rest", whatever path opened it. */
static int proc_fd_private(int fd)
{
	char link[64], target[PATH_MAX];
	unsigned long pid;
	char *end;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return 1; /* cannot tell: refuse */
	target[n] = '\0';
	if (strncmp(target, "/proc/", 6))
		return 0;
	pid = strtoul(target + 6, &end, 10);
	if (end == target + 6 || (*end != '/' && *end != '\0'))
		return 0; /* /proc/meminfo and the like */
	if (!proc_pid_ours(pid))
		return 0;
	return *end == '/' && proc_entry_private(end + 1);
}

int ident_fd_refused(const struct svc *s, int fd)
{
	struct stat st, own;
	struct statfs fs;

	if (fstat(fd, &st))
		return 1;
	for (unsigned int i = 0; i < s->nreserved; i++)
		if (!(s->user_files & (1u << i)) && !fstat(s->reserved_fds[i], &own) &&
		    own.st_dev == st.st_dev && own.st_ino == st.st_ino)
			return 1;
	if (fstatfs(fd, &fs))
		return 1;
	return fs.f_type == PROC_SUPER_MAGIC && proc_fd_private(fd);
}

int64_t ident_readlink(const struct svc *s, const char *path, char *buf, size_t size)
{
	const char *rest = proc_self_rest(s, path);
	size_t n = strlen(s->exe);

	if (!rest || strcmp(rest, "/exe") || !size)
		return -1;
	if (n > size)
		n = size;
	memcpy(buf, s->exe, n); /* readlink does not NUL-terminate */
	return (int64_t)n;
}

uint64_t ident_mem_total(const struct svc *s)
{
	uint64_t arena = 0;

	for (unsigned int i = 0; i < s->maps.n; i++) {
		const struct svc_map *m = &s->maps.v[i];

		if (m->va >= LWK_ARENA_BASE && m->end <= LWK_ARENA_BASE + LWK_ARENA_MAX)
			arena += m->end - m->va;
	}
	return arena < s->mem ? arena : s->mem;
}

uint64_t ident_mem_free(const struct svc *s)
{
	uint64_t total = ident_mem_total(s);
	uint64_t left = __atomic_load_n(&s->entry->arena_free, __ATOMIC_RELAXED);

	return left < total ? left : total; /* the LWK's figure is a snapshot */
}

/* What a piece of the layout holds, for /proc/self/maps. */
static const char *map_name(const struct svc *s, const struct svc_map *m)
{
	if (m->va < LWK_INTERP_BASE)
		return s->exe;
	if (m->va < LWK_ARENA_BASE)
		return s->interp[0] ? s->interp : "";
	if (m->va < LWK_ARENA_BASE + LWK_ARENA_MAX)
		return "";
	return "[stack]";
}

/* One line per run of pieces that touch and look alike, as Linux merges
 * adjacent anonymous mappings (the arena comes in many chunks). */
static void write_maps(const struct svc *s, FILE *f)
{
	for (unsigned int i = 0; i < s->maps.n;) {
		const struct svc_map *m = &s->maps.v[i];
		const char *name = map_name(s, m);
		uint64_t end = m->end;

		for (i++; i < s->maps.n && s->maps.v[i].va == end && s->maps.v[i].prot == m->prot &&
			  map_name(s, &s->maps.v[i]) == name;
		     i++)
			end = s->maps.v[i].end;
		fprintf(f, "%08" PRIx64 "-%08" PRIx64 " %c%c%cp 00000000 00:00 0%*s%s\n", m->va,
			end, m->prot & PROT_READ ? 'r' : '-', m->prot & PROT_WRITE ? 'w' : '-',
			m->prot & PROT_EXEC ? 'x' : '-', *name ? 19 : 0, "", name);
	}
}

static void write_meminfo(const struct svc *s, FILE *f)
{
	unsigned long long total = ident_mem_total(s) >> 10, avail = ident_mem_free(s) >> 10;

	fprintf(f,
		"MemTotal:       %8llu kB\nMemFree:        %8llu kB\nMemAvailable:   %8llu kB\n"
		"Buffers:               0 kB\nCached:                0 kB\n"
		"SwapCached:            0 kB\nSwapTotal:             0 kB\n"
		"SwapFree:              0 kB\n",
		total, avail, avail);
}

static void write_cpus(const struct svc *s, FILE *f)
{
	if (s->ncores <= 1)
		fprintf(f, "0\n");
	else
		fprintf(f, "0-%u\n", s->ncores - 1);
}

static void write_cmdline(const struct svc *s, FILE *f)
{
	for (char *const *a = s->argv; a && *a; a++)
		fwrite(*a, 1, strlen(*a) + 1, f);
}

/* The kernel's comm: the basename of argv[0], at most 15 bytes. */
static void write_comm(const struct svc *s, FILE *f)
{
	const char *name = s->argv && s->argv[0] ? s->argv[0] : s->exe;
	const char *slash = strrchr(name, '/');

	fprintf(f, "%.15s\n", slash ? slash + 1 : name);
}

struct ident_file {
	const char *path;
	void (*write)(const struct svc *s, FILE *f);
};

static const struct ident_file ident_files[] = {
	{ "/proc/self/maps", write_maps },
	{ "/proc/self/cmdline", write_cmdline },
	{ "/proc/self/comm", write_comm },
	{ "/proc/meminfo", write_meminfo },
	{ "/sys/devices/system/cpu/online", write_cpus },
	{ "/sys/devices/system/cpu/possible", write_cpus },
	{ "/sys/devices/system/cpu/present", write_cpus },
};

/* A memfd holding what @write says; the program reads it like the file. */
static int ident_memfd(const struct svc *s, const struct ident_file *file, int flags)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int fd, e;

	if (!f)
		return -ENOMEM;
	file->write(s, f);
	if (fclose(f))
		return -ENOMEM;
	fd = (int)syscall(SYS_memfd_create, "lwk-ident", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET)) {
		e = errno ? errno : EIO;
		if (fd >= 0)
			close(fd);
		free(text);
		return -e;
	}
	free(text);
	return fd;
}

int ident_open(const struct svc *s, const char *path, int flags)
{
	for (size_t i = 0; i < sizeof(ident_files) / sizeof(ident_files[0]); i++) {
		if (strcmp(path, ident_files[i].path))
			continue;
		if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))
			return -EACCES;
		return ident_memfd(s, &ident_files[i], flags);
	}
	return 1;
}

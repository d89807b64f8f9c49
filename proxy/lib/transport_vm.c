// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM transport: the partition is a QEMU guest whose RAM is a shared
 * memory-backend-file, so guest-physical memory is reached by mapping that
 * file. On q35, RAM below low_ram sits at the same offset as its address;
 * RAM above it is placed from 4 GiB on (past the PCI hole) and follows low
 * RAM in the file. transport_map() and transport_unmap() serve partition
 * mode too, whose file (/dev/lwk) is its physical address space.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* MAP_FIXED_NOREPLACE; host tests build without it */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "transport.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define GiB (1ull << 30)
#define HIGH_RAM_BASE (4 * GiB)
#define Q35_LOW_LIMIT (3 * GiB - GiB / 4) /* 2.75 GiB: more RAM and low ends at 2 GiB */
#define PAGE_SIZE 4096ull
#define HIGH_FD_MIN 1000

uint64_t transport_vm_low_ram(uint64_t mem_size)
{
	return mem_size < Q35_LOW_LIMIT ? mem_size : 2 * GiB;
}

int64_t transport_vm_offset(uint64_t mem_size, uint64_t low_ram, uint64_t pa)
{
	if (low_ram > mem_size)
		return -1;
	if (pa < low_ram)
		return (int64_t)pa;
	if (pa < HIGH_RAM_BASE || pa - HIGH_RAM_BASE >= mem_size - low_ram)
		return -1;
	return (int64_t)(pa - HIGH_RAM_BASE + low_ram);
}

/* Move @fd out of the way of the descriptors a served program uses: the
 * proxy runs the program's open/dup2 calls in its own fd table, so ours
 * must sit where a program will not ask for them. */
int transport_fd_move_high(int fd)
{
	struct rlimit rl;
	long want = HIGH_FD_MIN;
	int high;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur <= HIGH_FD_MIN && rl.rlim_cur > 16)
		want = (long)rl.rlim_cur - 8; /* near the top of a small table */
	high = fcntl(fd, F_DUPFD_CLOEXEC, want);
	if (high < 0)
		return fd; /* a low fd still works; it just may collide */
	close(fd);
	return high;
}

int transport_vm_open(struct transport *t, const char *mem_path, uint64_t mem_size,
		      uint64_t low_ram, char *err, size_t errlen)
{
	struct stat st = { .st_mode = 0 };
	int fd, e;

	*t = (struct transport){ .kind = "vm", .fd = -1 };
	fd = open(mem_path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot open the partition's memory file %s: %s%s", mem_path,
			 strerror(e),
			 e == EACCES ? " (only the user who booted it may use it)" : "");
		return -e;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		snprintf(err, errlen,
			 "the partition's memory file %s is not a file of yours (it belongs to uid "
			 "%u): only the user who booted a partition may use it",
			 mem_path, (unsigned int)st.st_uid);
		close(fd);
		return -EPERM;
	}
	if ((uint64_t)st.st_size < mem_size || low_ram > mem_size) {
		snprintf(err, errlen,
			 "the partition's memory file %s holds %lld bytes, not the %llu its "
			 "record says; the record is stale: run 'lwkctl status'",
			 mem_path, (long long)st.st_size, (unsigned long long)mem_size);
		close(fd);
		return -EINVAL;
	}
	t->fd = transport_fd_move_high(fd);
	t->mem_size = mem_size;
	t->low_ram = low_ram;
	return 0;
}

void transport_close(struct transport *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

/* The file offset of [pa, pa + size), which must be page-aligned and lie
 * on one side of the PCI hole; -1 otherwise. */
static int64_t range_offset(const struct transport *t, uint64_t pa, uint64_t size)
{
	int64_t first, last;

	if (!size || (pa | size) & (PAGE_SIZE - 1) || pa + size < pa)
		return -1;
	first = transport_vm_offset(t->mem_size, t->low_ram, pa);
	last = transport_vm_offset(t->mem_size, t->low_ram, pa + size - 1);
	if (first < 0 || last < 0 || (uint64_t)(last - first) != size - 1)
		return -1;
	return first;
}

void *transport_map(struct transport *t, uint64_t pa, uint64_t size, int prot, void *at)
{
	int dev = t->kind && !strcmp(t->kind, "partition");
	int64_t off = dev ? transport_dev_offset(pa, size) : range_offset(t, pa, size);
	int flags = MAP_SHARED | (at ? MAP_FIXED_NOREPLACE : 0);
	void *p;

	if (t->fd < 0 || off < 0 || ((uintptr_t)at & (PAGE_SIZE - 1))) {
		errno = EINVAL;
		return NULL;
	}
	p = mmap(at, size, prot, flags, t->fd, off);
	if (p == MAP_FAILED)
		return NULL;
	if (at && p != at) {
		/* A kernel before 4.17 takes the flag as a hint and maps elsewhere. */
		munmap(p, size);
		errno = EEXIST;
		return NULL;
	}
	return p;
}

int transport_unmap(struct transport *t, void *addr, uint64_t size)
{
	return munmap(addr, size) ? -errno : 0;
}

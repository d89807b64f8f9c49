// SPDX-License-Identifier: GPL-2.0-only
/*
 * chanprobe: two partition-mode checks that need the channel itself
 * (uapi/lwk/channel.h), reached through /dev/lwk as any user may.
 *
 *   chanprobe kill PID   how long a partition beside Linux takes to free a
 *                        process's cores and memory once its proxy
 *                        (lwkexec PID) is killed with SIGKILL. Nobody on
 *                        Linux tells the LWK but lwk.ko, which sees the
 *                        proxy's file released: microseconds to
 *                        milliseconds, not a lease. Polling 'lwkctl status'
 *                        costs ~0.1-0.2 s a call in the TCG test guest, too
 *                        slow for that, so this spins on the channel
 *                        header: cpu_pid[] of every compute core, and
 *                        mem_free against mem_total. Prints "freed after N us".
 *   chanprobe map        run as a user who is not root while another
 *                        user's process runs: the channel header maps
 *                        read-only, and nothing else of the partition maps
 *                        at all (not writable, not the process entries, no
 *                        2 MiB chunk of memory). Prints "refused N of N".
 * Exits 0 when the check holds; else prints one line that says what went
 * wrong and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <uapi/lwk/channel.h>
#include <uapi/lwk/lwkdev.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static uint32_t rd32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static uint64_t rd64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Some compute core is given to a process, or memory is. */
static int in_use(const struct lwk_chan_header *h)
{
	uint32_t n = rd32(&h->ncpus);

	if (n > LWK_CHAN_MAX_CPUS)
		n = LWK_CHAN_MAX_CPUS;
	for (uint32_t i = 0; i < n; i++)
		if (i != rd32(&h->service_cpu) && rd32(&h->cpu_pid[i]))
			return 1;
	return rd64(&h->mem_free) != rd64(&h->mem_total);
}

static int fd = -1;
static struct lwk_ioc_info info;

/* Open /dev/lwk and learn the partition; false (and a line) if none. */
static int open_partition(void)
{
	struct lwk_ioc_version v = { .abi_version = LWK_ABI_VERSION };

	/* As lwkctl does: read-write where allowed (Linux takes VM_SHARED off
	 * a shared mapping of a read-only file), else read-only. */
	fd = open(LWK_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fd = open(LWK_DEV_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("chanprobe: open %s: %s (is lwk.ko loaded?)\n", LWK_DEV_PATH,
		       strerror(errno));
		return 0;
	}
	if (ioctl(fd, LWK_IOC_VERSION, &v) < 0) {
		printf("chanprobe: LWK_IOC_VERSION: %s: %s\n", strerror(errno), v.msg);
		return 0;
	}
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, LWK_IOC_INFO, &info) < 0 || !info.chan_base) {
		printf("chanprobe: no started partition (LWK_IOC_INFO: %s)\n",
		       info.chan_base ? strerror(errno) : "no channel");
		return 0;
	}
	return 1;
}

static void *map(uint64_t pa, size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)pa);

	return p == MAP_FAILED ? NULL : p;
}

static const struct lwk_chan_header *map_header(void)
{
	const struct lwk_chan_header *h;

	h = map(info.chan_base, sizeof(*h), PROT_READ);
	if (!h) {
		printf("chanprobe: mmap of the channel header at 0x%llx: %s\n",
		       (unsigned long long)info.chan_base, strerror(errno));
		return NULL;
	}
	if (rd32(&h->magic) != LWK_CHAN_MAGIC || rd32(&h->state) != LWK_STATE_READY) {
		printf("chanprobe: the partition is not ready (magic 0x%x, state %u)\n",
		       rd32(&h->magic), rd32(&h->state));
		return NULL;
	}
	return h;
}

static int probe_kill(pid_t pid)
{
	const struct lwk_chan_header *h = map_header();
	long long t0, t;

	if (!h)
		return 1;
	if (!in_use(h)) {
		printf("chanprobe: no core or memory is in use: is lwkexec %d running?\n",
		       (int)pid);
		return 1;
	}
	t0 = now_us();
	if (kill(pid, SIGKILL) < 0) {
		printf("chanprobe: kill %d: %s\n", (int)pid, strerror(errno));
		return 1;
	}
	do {
		t = now_us() - t0;
		if (!in_use(h)) {
			printf("freed after %lld us\n", t);
			return 0;
		}
	} while (t < 5000000);
	printf("chanprobe: cores or memory still in use 5 s after the kill (mem_free %llu of "
	       "%llu)\n",
	       (unsigned long long)rd64(&h->mem_free), (unsigned long long)rd64(&h->mem_total));
	return 1;
}

/* A page at @pa must not map with @prot; counts the probe, says if it did. */
static int refused(uint64_t pa, int prot, const char *what, unsigned int *n)
{
	void *p = map(pa, 4096, prot);

	(*n)++;
	if (!p)
		return 1;
	printf("chanprobe: %s at 0x%llx mapped %s\n", what, (unsigned long long)pa,
	       prot & PROT_WRITE ? "writable" : "readable");
	munmap(p, 4096);
	return 0;
}

static int probe_map(void)
{
	const struct lwk_chan_header *h = map_header();
	uint64_t chan_end = info.chan_base + info.chan_size, procs;
	unsigned int n = 0, ok = 0;

	if (!h)
		return 1;
	procs = info.chan_base + rd64(&h->procs_off);
	ok += refused(info.chan_base, PROT_READ | PROT_WRITE, "the channel header", &n);
	ok += refused(procs, PROT_READ, "the process entries", &n);
	for (uint32_t r = 0; r < info.nranges && r < LWK_DEV_MAX_RANGES; r++)
		for (uint64_t pa = info.range[r].base; pa < info.range[r].base + info.range[r].size;
		     pa += 2u << 20)
			if (pa + 4096 <= info.chan_base || pa >= chan_end)
				ok += refused(pa, PROT_READ, "partition memory", &n);
	printf("refused %u of %u\n", ok, n);
	return ok == n && n > 2 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "kill") && atoi(argv[2]) > 0)
		return open_partition() ? probe_kill((pid_t)atoi(argv[2])) : 1;
	if (argc == 2 && !strcmp(argv[1], "map"))
		return open_partition() ? probe_map() : 1;
	printf("usage: chanprobe kill PID | chanprobe map\n");
	return 2;
}

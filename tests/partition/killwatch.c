// SPDX-License-Identifier: GPL-2.0-only
/*
 * killwatch: how long a partition beside Linux takes to free a process's
 * cores and memory once its proxy (lwkexec) is killed with SIGKILL. Nobody
 * on Linux tells the LWK but lwk.ko, which sees the proxy's /dev/lwk file
 * released: microseconds to milliseconds, not a lease. Polling with
 * 'lwkctl status' costs ~0.1-0.2 s a call in the TCG test guest, too slow
 * to measure that, so this reads the channel header (uapi/lwk/channel.h)
 * itself, mapped read-only through /dev/lwk as any user may: cpu_pid[] of
 * every compute core, and mem_free against mem_total.
 *   killwatch PID      PID: an lwkexec whose program is running
 * Prints "freed after N us" and exits 0; or one line that says what went
 * wrong, and exits 1.
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

static const struct lwk_chan_header *map_header(void)
{
	struct lwk_ioc_version v = { .abi_version = LWK_ABI_VERSION };
	struct lwk_ioc_info info;
	void *p;
	int fd = open(LWK_DEV_PATH, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		printf("killwatch: open %s: %s (is lwk.ko loaded?)\n", LWK_DEV_PATH,
		       strerror(errno));
		return NULL;
	}
	if (ioctl(fd, LWK_IOC_VERSION, &v) < 0) {
		printf("killwatch: LWK_IOC_VERSION: %s: %s\n", strerror(errno), v.msg);
		return NULL;
	}
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, LWK_IOC_INFO, &info) < 0 || !info.chan_base) {
		printf("killwatch: no started partition (LWK_IOC_INFO: %s)\n",
		       info.chan_base ? strerror(errno) : "no channel");
		return NULL;
	}
	p = mmap(NULL, sizeof(struct lwk_chan_header), PROT_READ, MAP_SHARED, fd,
		 (off_t)info.chan_base);
	if (p == MAP_FAILED) {
		printf("killwatch: mmap of the channel header at 0x%llx: %s\n",
		       (unsigned long long)info.chan_base, strerror(errno));
		return NULL;
	}
	return p;
}

int main(int argc, char **argv)
{
	const struct lwk_chan_header *h;
	long long t0, t;
	pid_t pid;

	if (argc != 2 || (pid = (pid_t)atoi(argv[1])) <= 0) {
		printf("usage: killwatch PID (an lwkexec whose program runs)\n");
		return 2;
	}
	h = map_header();
	if (!h)
		return 1;
	if (rd32(&h->magic) != LWK_CHAN_MAGIC || rd32(&h->state) != LWK_STATE_READY) {
		printf("killwatch: the partition is not ready (magic 0x%x, state %u)\n",
		       rd32(&h->magic), rd32(&h->state));
		return 1;
	}
	if (!in_use(h)) {
		printf("killwatch: no core or memory is in use: is lwkexec %d running?\n",
		       (int)pid);
		return 1;
	}
	t0 = now_us();
	if (kill(pid, SIGKILL) < 0) {
		printf("killwatch: kill %d: %s\n", (int)pid, strerror(errno));
		return 1;
	}
	do {
		t = now_us() - t0;
		if (!in_use(h)) {
			printf("freed after %lld us\n", t);
			return 0;
		}
	} while (t < 5000000);
	printf("killwatch: cores or memory still in use 5 s after the kill (mem_free %llu of "
	       "%llu)\n",
	       (unsigned long long)rd64(&h->mem_free), (unsigned long long)rd64(&h->mem_total));
	return 1;
}

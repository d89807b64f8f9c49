// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of the proxy library's VM transport (guest-physical address ->
 * memory-file offset, mapping) and partition records (save/load, finding
 * one, attaching to a channel), against temporary files and a temporary
 * XDG_RUNTIME_DIR.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uapi/lwk/channel.h>
#include "partition.h"
#include "transport.h"
#include "htest.h"

#define MiB_(n) ((uint64_t)(n) << 20)
#define GiB_(n) ((uint64_t)(n) << 30)

HTEST(transport, low_ram_q35)
{
	EXPECT_EQ(transport_vm_low_ram(MiB_(64)), MiB_(64));
	EXPECT_EQ(transport_vm_low_ram(GiB_(2)), GiB_(2));
	EXPECT_EQ(transport_vm_low_ram(MiB_(2815)), MiB_(2815));
	/* From 2.75 GiB on, q35 keeps 2 GiB low and puts the rest above 4 GiB. */
	EXPECT_EQ(transport_vm_low_ram(MiB_(2816)), GiB_(2));
	EXPECT_EQ(transport_vm_low_ram(GiB_(6)), GiB_(2));
}

HTEST(transport, offset_all_low)
{
	uint64_t mem = GiB_(1), low = transport_vm_low_ram(mem);

	EXPECT_EQ(transport_vm_offset(mem, low, 0), 0);
	EXPECT_EQ(transport_vm_offset(mem, low, MiB_(16)), MiB_(16));
	EXPECT_EQ(transport_vm_offset(mem, low, mem - 1), mem - 1);
	EXPECT_EQ(transport_vm_offset(mem, low, mem), -1);
	EXPECT_EQ(transport_vm_offset(mem, low, GiB_(4)), -1);
	EXPECT_EQ(transport_vm_offset(mem, low, ~0ull), -1);
}

HTEST(transport, offset_both_sides_of_hole)
{
	uint64_t mem = GiB_(6), low = transport_vm_low_ram(mem);

	EXPECT_EQ(transport_vm_offset(mem, low, GiB_(2) - 1), GiB_(2) - 1);
	EXPECT_EQ(transport_vm_offset(mem, low, GiB_(2)), -1); /* the hole */
	EXPECT_EQ(transport_vm_offset(mem, low, GiB_(3)), -1);
	EXPECT_EQ(transport_vm_offset(mem, low, GiB_(4) - 1), -1);
	EXPECT_EQ(transport_vm_offset(mem, low, GiB_(4)), GiB_(2));
	EXPECT_EQ(transport_vm_offset(mem, low, GiB_(4) + 4096), GiB_(2) + 4096);
	/* 4 GiB of high RAM: [4 GiB, 8 GiB). */
	EXPECT_EQ(transport_vm_offset(mem, low, GiB_(8) - 1), GiB_(6) - 1);
	EXPECT_EQ(transport_vm_offset(mem, low, GiB_(8)), -1);
	/* A record whose low RAM exceeds its RAM is nonsense. */
	EXPECT_EQ(transport_vm_offset(MiB_(64), MiB_(128), 0), -1);
}

/* A temporary file of @size bytes standing in for the guest's RAM. */
static int fake_mem_file(char *path, size_t len, uint64_t size)
{
	int fd;

	snprintf(path, len, "/tmp/lwk-test-mem.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, (off_t)size)) {
		perror("fake memory file");
		abort();
	}
	return fd;
}

HTEST(transport, map_shares_the_file)
{
	char path[64], err[256];
	struct transport t;
	uint64_t mem = MiB_(32);
	int fd = fake_mem_file(path, sizeof(path), mem);
	uint32_t *p, word = 0;

	EXPECT_EQ(transport_vm_open(&t, path, mem, transport_vm_low_ram(mem), err, sizeof(err)), 0);
	EXPECT(t.fd >= 100); /* out of the way of a served program's fds */
	EXPECT_EQ(fcntl(t.fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	p = transport_map(&t, MiB_(16), MiB_(4), PROT_READ | PROT_WRITE, NULL);
	EXPECT(p != NULL);
	if (p) {
		p[1] = 0x1234abcd;
		EXPECT_EQ(pread(fd, &word, 4, MiB_(16) + 4), 4);
		EXPECT_EQ(word, 0x1234abcd);
		EXPECT_EQ(transport_unmap(&t, p, MiB_(4)), 0);
	}
	transport_close(&t);
	EXPECT_EQ(t.fd, -1);
	close(fd);
	unlink(path);
}

HTEST(transport, map_refuses_bad_ranges)
{
	char path[64], err[256];
	struct transport t;
	uint64_t mem = MiB_(32);
	int fd = fake_mem_file(path, sizeof(path), mem);

	EXPECT_EQ(transport_vm_open(&t, path, mem, mem, err, sizeof(err)), 0);
	errno = 0;
	EXPECT(!transport_map(&t, 100, 4096, PROT_READ, NULL)); /* unaligned pa */
	EXPECT_EQ(errno, EINVAL);
	EXPECT(!transport_map(&t, 0, 100, PROT_READ, NULL)); /* unaligned size */
	EXPECT(!transport_map(&t, 0, 0, PROT_READ, NULL));
	EXPECT(!transport_map(&t, MiB_(30), MiB_(4), PROT_READ, NULL)); /* past the end */
	EXPECT(!transport_map(&t, GiB_(4), 4096, PROT_READ, NULL));
	EXPECT(!transport_map(&t, ~0ull - 4095, 8192, PROT_READ, NULL));  /* wraps */
	EXPECT(!transport_map(&t, 0, 4096, PROT_READ, (void *)0x100001)); /* unaligned at */
	transport_close(&t);
	close(fd);
	unlink(path);
}

HTEST(transport, map_refuses_straddling_the_hole)
{
	char path[64], err[256];
	struct transport t;
	/* A sparse 6 GiB file: nothing is written, so it costs nothing. */
	uint64_t mem = GiB_(6);
	int fd = fake_mem_file(path, sizeof(path), mem);
	void *p;

	EXPECT_EQ(transport_vm_open(&t, path, mem, transport_vm_low_ram(mem), err, sizeof(err)), 0);
	errno = 0;
	EXPECT(!transport_map(&t, GiB_(2) - 4096, 8192, PROT_READ, NULL));
	EXPECT_EQ(errno, EINVAL);
	EXPECT(!transport_map(&t, GiB_(4) - 4096, 8192, PROT_READ, NULL));
	p = transport_map(&t, GiB_(4), 4096, PROT_READ | PROT_WRITE, NULL);
	EXPECT(p != NULL);
	if (p) {
		uint32_t word = 0;

		*(uint32_t *)p = 0xfeedf00d;
		EXPECT_EQ(pread(fd, &word, 4, GiB_(2)), 4);
		EXPECT_EQ(word, 0xfeedf00d);
		transport_unmap(&t, p, 4096);
	}
	transport_close(&t);
	close(fd);
	unlink(path);
}

HTEST(transport, map_at_fixed_address)
{
	char path[64], err[256];
	struct transport t;
	uint64_t mem = MiB_(8);
	int fd = fake_mem_file(path, sizeof(path), mem);
	/* Find a free spot, give it back, then ask for exactly it. */
	void *spot = mmap(NULL, MiB_(1), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *p, *q;

	munmap(spot, MiB_(1));
	EXPECT_EQ(transport_vm_open(&t, path, mem, mem, err, sizeof(err)), 0);
	p = transport_map(&t, 0, MiB_(1), PROT_READ, spot);
	EXPECT(p == spot);
	/* Never over an existing mapping. */
	errno = 0;
	q = transport_map(&t, MiB_(1), MiB_(1), PROT_READ, spot);
	EXPECT(q == NULL);
	EXPECT_EQ(errno, EEXIST);
	if (p)
		transport_unmap(&t, p, MiB_(1));
	transport_close(&t);
	close(fd);
	unlink(path);
}

HTEST(transport, open_errors)
{
	char path[64], err[256];
	struct transport t;
	int fd;

	EXPECT(transport_vm_open(&t, "/nonexistent/lwk-mem", MiB_(8), MiB_(8), err, sizeof(err)) ==
	       -ENOENT);
	EXPECT_STR_CONTAINS(err, "/nonexistent/lwk-mem");
	fd = fake_mem_file(path, sizeof(path), MiB_(4));
	EXPECT_EQ(transport_vm_open(&t, path, MiB_(8), MiB_(8), err, sizeof(err)), -EINVAL);
	EXPECT_STR_CONTAINS(err, "stale");
	close(fd);
	unlink(path);
}

/* A temporary state directory for the partition tests. */
static char state_root[64];

static void state_setup(void)
{
	snprintf(state_root, sizeof(state_root), "/tmp/lwk-test-state.XXXXXX");
	if (!mkdtemp(state_root))
		abort();
	setenv("XDG_RUNTIME_DIR", state_root, 1);
	unsetenv("LWK_PARTITION");
}

static void state_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_root);
	if (system(cmd))
		printf("  could not remove %s\n", state_root);
	unsetenv("XDG_RUNTIME_DIR");
}

static void record_make(struct partition *p, const char *name, const char *mem_path, uint64_t mem)
{
	char state[PATH_MAX];

	memset(p, 0, sizeof(*p));
	EXPECT_EQ(partition_state_dir(state, sizeof(state)), 0);
	snprintf(p->name, sizeof(p->name), "%s", name);
	EXPECT(snprintf(p->dir, sizeof(p->dir), "%s/%s", state, name) < (int)sizeof(p->dir));
	snprintf(p->kind, sizeof(p->kind), "vm");
	p->qemu_pid = getpid();
	snprintf(p->mem_path, sizeof(p->mem_path), "%s", mem_path);
	p->mem_size = mem;
	p->low_ram = transport_vm_low_ram(mem);
	p->chan_base = MiB_(16);
	p->chan_size = MiB_(4);
	p->cpus = 4;
	EXPECT(snprintf(p->console, sizeof(p->console), "%s/console.log", p->dir) <
	       (int)sizeof(p->console));
}

HTEST(partition, save_and_load)
{
	char err[512];
	struct partition a, b;
	struct stat st;

	state_setup();
	record_make(&a, "lwk0", "/dev/shm/lwk-lwk0-mem", GiB_(6));
	EXPECT_EQ(partition_save(&a, err, sizeof(err)), 0);
	EXPECT_EQ(stat(state_root, &st), 0);
	EXPECT_EQ(partition_load(a.dir, &b, err, sizeof(err)), 0);
	EXPECT(!strcmp(b.name, "lwk0") && !strcmp(b.kind, "vm"));
	EXPECT(!strcmp(b.mem_path, a.mem_path) && !strcmp(b.console, a.console));
	EXPECT_EQ(b.qemu_pid, getpid());
	EXPECT_EQ(b.mem_size, GiB_(6));
	EXPECT_EQ(b.low_ram, GiB_(2));
	EXPECT_EQ(b.chan_base, MiB_(16));
	EXPECT_EQ(b.chan_size, MiB_(4));
	EXPECT_EQ(b.cpus, 4);
	EXPECT_EQ(b.tr.fd, -1);
	EXPECT(b.hdr == NULL);
	state_teardown();
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

HTEST(partition, load_refuses_bad_records)
{
	char err[512], path[PATH_MAX + 16];
	struct partition a, b;

	state_setup();
	record_make(&a, "bad", "/dev/shm/x", MiB_(64));
	EXPECT_EQ(partition_save(&a, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/partition", a.dir);
	write_text(path, "name bad\nkind vm\nqemu-pid 12\n");
	EXPECT_EQ(partition_load(a.dir, &b, err, sizeof(err)), -EINVAL);
	EXPECT_STR_CONTAINS(err, "incomplete");
	write_text(path, "name bad\nqemu-pid twelve\n");
	EXPECT_EQ(partition_load(a.dir, &b, err, sizeof(err)), -EINVAL);
	EXPECT_STR_CONTAINS(err, ":2: malformed");
	EXPECT_EQ(partition_load("/nonexistent", &b, err, sizeof(err)), -ENOENT);
	state_teardown();
}

HTEST(partition, find_none_one_several)
{
	char err[512];
	struct partition a, b, p;

	state_setup();
	EXPECT_EQ(partition_find(NULL, &p, err, sizeof(err)), -ENOENT);
	EXPECT(!strcmp(err, "no LWK partition is running; start one with 'lwkctl boot --vm'"));
	record_make(&a, "alpha", "/dev/shm/lwk-alpha-mem", MiB_(64));
	EXPECT_EQ(partition_save(&a, err, sizeof(err)), 0);
	EXPECT_EQ(partition_find(NULL, &p, err, sizeof(err)), 0);
	EXPECT(!strcmp(p.name, "alpha"));
	record_make(&b, "beta", "/dev/shm/lwk-beta-mem", MiB_(64));
	EXPECT_EQ(partition_save(&b, err, sizeof(err)), 0);
	/* Neither is alive (our pid's command line names no memory file). */
	EXPECT_EQ(partition_find(NULL, &p, err, sizeof(err)), -EINVAL);
	EXPECT_STR_CONTAINS(err, "alpha");
	EXPECT_STR_CONTAINS(err, "beta");
	EXPECT_STR_CONTAINS(err, "LWK_PARTITION");
	EXPECT_STR_CONTAINS(err, "--partition");
	EXPECT_EQ(partition_find("beta", &p, err, sizeof(err)), 0);
	EXPECT(!strcmp(p.name, "beta"));
	setenv("LWK_PARTITION", "alpha", 1);
	EXPECT_EQ(partition_find(NULL, &p, err, sizeof(err)), 0);
	EXPECT(!strcmp(p.name, "alpha"));
	EXPECT_EQ(partition_find("gamma", &p, err, sizeof(err)), -ENOENT);
	EXPECT_STR_CONTAINS(err, "no LWK partition named 'gamma'");
	EXPECT_EQ(partition_find("../etc", &p, err, sizeof(err)), -EINVAL);
	EXPECT_STR_CONTAINS(err, "not a partition name");
	state_teardown();
}

HTEST(partition, alive)
{
	struct partition p;
	int fd;

	memset(&p, 0, sizeof(p));
	snprintf(p.mem_path, sizeof(p.mem_path), "/dev/shm/lwk-none-mem");
	p.qemu_pid = getpid(); /* alive, but not a QEMU with that file: pid reuse */
	EXPECT(!partition_alive(&p));
	p.qemu_pid = 0;
	EXPECT(!partition_alive(&p));
	/* Our own command line names our program: "alive". */
	fd = open("/proc/self/cmdline", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, p.mem_path, sizeof(p.mem_path) - 1) > 0);
	close(fd);
	p.qemu_pid = getpid();
	EXPECT(partition_alive(&p));
}

/* A fake partition whose channel header says @magic and @abi. */
static void attach_with(uint32_t magic, uint32_t abi, int want, const char *text)
{
	char path[64], err[512];
	struct lwk_chan_header h = { .magic = magic, .abi_version = abi, .size = MiB_(4) };
	struct partition p;
	int fd = fake_mem_file(path, sizeof(path), MiB_(32));

	EXPECT_EQ(pwrite(fd, &h, sizeof(h), MiB_(16)), (ssize_t)sizeof(h));
	record_make(&p, "fake", path, MiB_(32));
	p.tr.fd = -1;
	EXPECT_EQ(partition_attach(&p, err, sizeof(err)), want);
	if (text)
		EXPECT_STR_CONTAINS(err, text);
	if (!want) {
		EXPECT(p.hdr != NULL);
		EXPECT(partition_chan(&p, 4096) == (char *)p.hdr + 4096);
		EXPECT(partition_chan(&p, MiB_(4)) == NULL);
		/* Shared both ways. */
		p.hdr->shutdown = 1;
		EXPECT_EQ(pread(fd, &h, sizeof(h), MiB_(16)), (ssize_t)sizeof(h));
		EXPECT_EQ(h.shutdown, 1);
		partition_detach(&p);
		EXPECT(p.hdr == NULL);
		EXPECT_EQ(p.tr.fd, -1);
	}
	close(fd);
	unlink(path);
}

HTEST(partition, attach_checks_the_channel)
{
	state_setup();
	attach_with(LWK_CHAN_MAGIC, LWK_ABI_VERSION, 0, NULL);
	attach_with(LWK_CHAN_MAGIC, 999, -EPROTO,
		    "lwk kernel speaks ABI version 999, this lwkctl/lwkexec speaks");
	attach_with(0, 0, -EAGAIN, "not set up its channel yet");
	attach_with(0xdeadbeef, LWK_ABI_VERSION, -EPROTO, "no LWK channel");
	state_teardown();
}

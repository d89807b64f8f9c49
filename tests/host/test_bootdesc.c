// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of bootdesc_parse(): a complete boot description is built with
 * libfdt, then each test breaks one thing and checks that the reader
 * refuses it with a message naming that thing.
 */
#include <libfdt.h>
#include <stdlib.h>
#include "htest.h"
#include <lwk/bootdesc.h>
#include <lwk/errno.h>
#include <uapi/lwk/abi.h>

#define TSC 1000000000ull
#define WALLCLOCK 1700000000123456789ull
#define MEM_BASE 0x100000000ull
#define BOOTARGS "console=ttyS0 lwk.cpus=0,2,4"

static uint8_t tree[LWK_BD_MAX_SIZE] __attribute__((aligned(8)));
static uint8_t big[2 * LWK_BD_MAX_SIZE] __attribute__((aligned(8)));
static struct bootdesc bd;
static char err[512];

/* A failure here is a bug in the test, not in the reader. */
static void ok(int fdt_err, const char *what)
{
	if (fdt_err) {
		printf("  test setup: %s: %s\n", what, fdt_strerror(fdt_err));
		abort();
	}
}

static void put_range(const char *name, uint64_t base, uint64_t size)
{
	fdt64_t v[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	ok(fdt_property(tree, name, v, sizeof(v)), name);
}

static void put_memory(unsigned int n)
{
	fdt64_t *v = calloc(2 * n, sizeof(*v));

	for (unsigned int i = 0; i < n; i++) {
		v[2 * i] = cpu_to_fdt64(MEM_BASE + i * 0x10000000ull);
		v[2 * i + 1] = cpu_to_fdt64(0x8000000);
	}
	ok(fdt_property(tree, LWK_BD_MEMORY, v, n * 16), "memory");
	free(v);
}

static void put_cpus(unsigned int n)
{
	ok(fdt_begin_node(tree, "cpus"), "cpus");
	ok(fdt_property_u32(tree, "#address-cells", 1), "cells");
	ok(fdt_property_u32(tree, "#size-cells", 0), "cells");
	for (unsigned int i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%u", i);
		ok(fdt_begin_node(tree, name), name);
		ok(fdt_property_u32(tree, "reg", 2 * i), "reg");
		ok(fdt_end_node(tree), name);
	}
	ok(fdt_end_node(tree), "cpus");
}

/* The complete description, opened for editing. */
static void build(unsigned int n_cpus, unsigned int n_memory)
{
	static const char compat[] = "vendor,other\0" LWK_BD_COMPATIBLE;
	uint32_t ipi[2] = { cpu_to_fdt32(0xf3), cpu_to_fdt32(7) };

	ok(fdt_create(tree, sizeof(tree)), "create");
	ok(fdt_finish_reservemap(tree), "reservemap");
	ok(fdt_begin_node(tree, ""), "root");
	ok(fdt_property(tree, "compatible", compat, sizeof(compat)), "compat");
	ok(fdt_property_u32(tree, LWK_BD_ABI_VERSION, LWK_ABI_VERSION), "abi");
	ok(fdt_property_u64(tree, LWK_BD_TSC_HZ, TSC), "tsc");
	ok(fdt_property_u64(tree, LWK_BD_WALLCLOCK, WALLCLOCK), "wallclock");
	put_memory(n_memory);
	put_range(LWK_BD_RESERVED, MEM_BASE, 0x200000);
	put_range(LWK_BD_TRAMPOLINE, 0x8000, 0x1000);
	put_range(LWK_BD_LOG, 0x1ff000000, 0x100000);
	ok(fdt_property(tree, LWK_BD_NOTIFY_IPI, ipi, sizeof(ipi)), "ipi");
	ok(fdt_begin_node(tree, "chosen"), "chosen");
	ok(fdt_property_string(tree, "bootargs", BOOTARGS), "bootargs");
	ok(fdt_end_node(tree), "chosen");
	put_cpus(n_cpus);
	ok(fdt_end_node(tree), "root");
	ok(fdt_finish(tree), "finish");
	ok(fdt_open_into(tree, tree, sizeof(tree)), "open");
}

static void build_good(void)
{
	build(3, 2);
}

static int parse(void)
{
	return bootdesc_parse(tree, sizeof(tree), &bd, err, sizeof(err));
}

static void set_prop(int at, const char *name, const void *v, int len)
{
	ok(fdt_setprop(tree, at, name, v, len), name);
}

static void set_raw(const char *name, const void *v, int len)
{
	set_prop(0, name, v, len);
}

static void set_u32(const char *name, uint32_t v)
{
	ok(fdt_setprop_u32(tree, 0, name, v), name);
}

static void set_u64(const char *name, uint64_t v)
{
	ok(fdt_setprop_u64(tree, 0, name, v), name);
}

static void set_range_at(int at, const char *name, uint64_t base, uint64_t size)
{
	fdt64_t v[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	set_prop(at, name, v, sizeof(v));
}

static void set_range(const char *name, uint64_t base, uint64_t size)
{
	set_range_at(0, name, base, size);
}

static void del(const char *name)
{
	ok(fdt_delprop(tree, 0, name), name);
}

static int node(const char *path)
{
	int off = fdt_path_offset(tree, path);

	ok(off < 0 ? off : 0, path);
	return off;
}

#define EXPECT_REFUSED(text)                                     \
	do {                                                     \
		EXPECT_EQ(parse(), -EINVAL);                     \
		EXPECT_STR_CONTAINS(err, (text));                \
		EXPECT(!strncmp(err, "boot description: ", 18)); \
		EXPECT(!strchr(err, '\n'));                      \
	} while (0)

#define PROG_IMAGE 0x7000000ull
#define PROG_INTERP 0x7100000ull
#define PROG_ARGV "/bin/app\0-v"
#define PROG_ENVP "K=V"

/* The /program node the shim writes for a dynamic program; returns it. */
static int put_program(void)
{
	int at = fdt_add_subnode(tree, 0, "program");

	ok(at < 0 ? at : 0, "program");
	set_range_at(at, LWK_BD_PROGRAM_REG, PROG_IMAGE, 0x12345);
	set_range_at(at, LWK_BD_PROGRAM_INTERP, PROG_INTERP, 0x800);
	set_prop(at, LWK_BD_PROGRAM_ARGV, PROG_ARGV, sizeof(PROG_ARGV));
	set_prop(at, LWK_BD_PROGRAM_ENVP, PROG_ENVP, sizeof(PROG_ENVP));
	ok(fdt_setprop_u64(tree, at, LWK_BD_PROGRAM_MEM, 0x40000000), "mem");
	ok(fdt_setprop_u32(tree, at, LWK_BD_PROGRAM_CPUS, 3), "cpus");
	return at;
}

/* ---- what a good description decodes to ------------------------------------- */

HTEST(bootdesc, good)
{
	build_good();
	EXPECT_EQ(parse(), 0);
	EXPECT_EQ(err[0], '\0');
	EXPECT_EQ(bd.tsc_hz, TSC);
	EXPECT_EQ(bd.wallclock_offset_ns, WALLCLOCK);
	EXPECT_EQ(bd.n_memory, 2);
	EXPECT_EQ(bd.memory[0].base, MEM_BASE);
	EXPECT_EQ(bd.memory[0].size, 0x8000000);
	EXPECT_EQ(bd.memory[1].base, MEM_BASE + 0x10000000);
	EXPECT_EQ(bd.memory[1].size, 0x8000000);
	EXPECT_EQ(bd.n_reserved, 1);
	EXPECT_EQ(bd.reserved[0].base, MEM_BASE);
	EXPECT_EQ(bd.reserved[0].size, 0x200000);
	EXPECT_EQ(bd.trampoline.base, 0x8000);
	EXPECT_EQ(bd.trampoline.size, 0x1000);
	EXPECT_EQ(bd.log.base, 0x1ff000000);
	EXPECT_EQ(bd.log.size, 0x100000);
	EXPECT(bd.has_notify_ipi);
	EXPECT_EQ(bd.notify_vector, 0xf3);
	EXPECT_EQ(bd.notify_apic_id, 7);
	EXPECT(!strcmp(bd.bootargs, BOOTARGS));
	EXPECT_EQ(bd.n_cpus, 3);
	EXPECT_EQ(bd.cpu_apic_id[0], 0);
	EXPECT_EQ(bd.cpu_apic_id[1], 2);
	EXPECT_EQ(bd.cpu_apic_id[2], 4);
	EXPECT(!bd.program.present);
}

/* Only what is required: the optional parts read as absent. */
HTEST(bootdesc, minimal)
{
	build_good();
	del(LWK_BD_WALLCLOCK);
	del(LWK_BD_RESERVED);
	del(LWK_BD_LOG);
	del(LWK_BD_NOTIFY_IPI);
	ok(fdt_del_node(tree, node("/chosen")), "del chosen");
	memset(&bd, 0xa5, sizeof(bd));
	EXPECT_EQ(parse(), 0);
	EXPECT_EQ(bd.wallclock_offset_ns, 0);
	EXPECT_EQ(bd.n_reserved, 0);
	EXPECT_EQ(bd.log.base, 0);
	EXPECT_EQ(bd.log.size, 0);
	EXPECT(!bd.has_notify_ipi);
	EXPECT(!strcmp(bd.bootargs, ""));
	EXPECT_EQ(bd.n_cpus, 3);
}

HTEST(bootdesc, chosen_without_bootargs)
{
	build_good();
	ok(fdt_delprop(tree, node("/chosen"), "bootargs"), "del bootargs");
	EXPECT_EQ(parse(), 0);
	EXPECT(!strcmp(bd.bootargs, ""));
}

HTEST(bootdesc, limits_reached)
{
	char args[LWK_BD_MAX_BOOTARGS];

	build(LWK_BD_MAX_CPUS, LWK_BD_MAX_RANGES);
	memset(args, 'a', sizeof(args) - 1);
	args[sizeof(args) - 1] = '\0';
	ok(fdt_setprop_string(tree, node("/chosen"), "bootargs", args), "args");
	EXPECT_EQ(parse(), 0);
	EXPECT_EQ(bd.n_cpus, LWK_BD_MAX_CPUS);
	EXPECT_EQ(bd.cpu_apic_id[LWK_BD_MAX_CPUS - 1], 2 * (LWK_BD_MAX_CPUS - 1));
	EXPECT_EQ(bd.n_memory, LWK_BD_MAX_RANGES);
	EXPECT_EQ(strlen(bd.bootargs), LWK_BD_MAX_BOOTARGS - 1);
}

/* ---- the container --------------------------------------------------------- */

HTEST(bootdesc, truncated)
{
	char want[128];
	uint32_t total;

	build_good();
	ok(fdt_pack(tree), "pack");
	total = fdt_totalsize(tree);
	EXPECT_EQ(bootdesc_parse(tree, total, &bd, err, sizeof(err)), 0);
	EXPECT_EQ(bootdesc_parse(tree, total - 1, &bd, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "boot description: truncated (header says %u bytes, only %u available)", total,
		 total - 1);
	EXPECT(!strcmp(err, want));
	EXPECT_EQ(bootdesc_parse(tree, 10, &bd, err, sizeof(err)), -EINVAL);
	EXPECT_STR_CONTAINS(err, "truncated (only 10 bytes available");
}

HTEST(bootdesc, random_bytes)
{
	uint32_t seed = 99;

	for (size_t i = 0; i < sizeof(tree); i++) {
		seed = seed * 1103515245 + 12345;
		tree[i] = seed >> 16;
	}
	EXPECT_REFUSED("no FDT magic");
	/* With a magic and a plausible size the rest is still garbage. */
	*(fdt32_t *)tree = cpu_to_fdt32(FDT_MAGIC);
	((fdt32_t *)tree)[1] = cpu_to_fdt32(4096);
	EXPECT_REFUSED("malformed FDT");
}

HTEST(bootdesc, too_big)
{
	build_good();
	ok(fdt_open_into(tree, big, sizeof(big)), "open big");
	EXPECT_EQ(bootdesc_parse(big, sizeof(big), &bd, err, sizeof(err)), -EINVAL);
	EXPECT_STR_CONTAINS(err, "is 131072 bytes, more than the limit of 65536");
}

HTEST(bootdesc, bad_structure)
{
	build_good();
	ok(fdt_pack(tree), "pack");
	/* The first token of the structure block must be FDT_BEGIN_NODE. */
	*(fdt32_t *)(tree + fdt_off_dt_struct(tree)) = cpu_to_fdt32(0x77);
	EXPECT_REFUSED("malformed FDT");
}

/* No bit flip may crash the reader or yield a half-filled success. */
HTEST(bootdesc, fuzz)
{
	static uint8_t good[LWK_BD_MAX_SIZE];
	uint32_t seed = 4242, total;
	int passed = 0, refused = 0;

	build_good();
	put_program(); /* so that flips reach bd_parse_program() too */
	ok(fdt_pack(tree), "pack");
	total = fdt_totalsize(tree);
	memcpy(good, tree, total);
	for (int round = 0; round < 20000; round++) {
		int ret;

		memcpy(tree, good, total);
		for (int k = 0; k < 2; k++) {
			seed = seed * 1103515245 + 12345;
			tree[(seed >> 8) % total] ^= 1 << ((seed >> 4) & 7);
		}
		ret = bootdesc_parse(tree, total, &bd, err, sizeof(err));
		if (ret) {
			EXPECT_EQ(ret, -EINVAL);
			EXPECT(!strncmp(err, "boot description: ", 18));
			refused++;
		} else {
			EXPECT(bd.n_cpus >= 1 && bd.n_memory >= 1);
			passed++;
		}
	}
	EXPECT(passed > 0 && refused > 0);
}

/* ---- identity ------------------------------------------------------------------ */

HTEST(bootdesc, compatible)
{
	build_good();
	del("compatible");
	EXPECT_REFUSED("no 'compatible' on the root node");
	ok(fdt_setprop_string(tree, 0, "compatible", "lwk,bootdescx"), "c");
	EXPECT_REFUSED("'compatible' does not list \"lwk,bootdesc\"");
}

HTEST(bootdesc, abi_version)
{
	char want[80];

	build_good();
	set_u32(LWK_BD_ABI_VERSION, LWK_ABI_VERSION + 1);
	snprintf(want, sizeof(want),
		 "'lwk,abi-version' is %d, but this kernel speaks ABI version %d",
		 LWK_ABI_VERSION + 1, LWK_ABI_VERSION);
	EXPECT_REFUSED(want);
	set_u64(LWK_BD_ABI_VERSION, LWK_ABI_VERSION);
	EXPECT_REFUSED("'lwk,abi-version' is 8 bytes, expected 4");
	del(LWK_BD_ABI_VERSION);
	EXPECT_REFUSED("no 'lwk,abi-version' on the root node");
}

/* ---- clock --------------------------------------------------------------------- */

HTEST(bootdesc, tsc_hz)
{
	build_good();
	set_u64(LWK_BD_TSC_HZ, 0);
	EXPECT_REFUSED("'lwk,tsc-hz' is 0");
	set_u32(LWK_BD_TSC_HZ, 1000);
	EXPECT_REFUSED("'lwk,tsc-hz' is 4 bytes, expected 8");
	del(LWK_BD_TSC_HZ);
	EXPECT_REFUSED("no 'lwk,tsc-hz' on the root node");
}

HTEST(bootdesc, wallclock)
{
	build_good();
	set_u32(LWK_BD_WALLCLOCK, 5);
	EXPECT_REFUSED("'lwk,wallclock-offset-ns' is 4 bytes, expected 8");
}

/* ---- memory -------------------------------------------------------------------- */

HTEST(bootdesc, memory)
{
	fdt64_t zero[4] = { cpu_to_fdt64(MEM_BASE), 0, cpu_to_fdt64(MEM_BASE), 0 };
	uint8_t odd[20] = { 0 };

	build_good();
	set_raw(LWK_BD_MEMORY, odd, sizeof(odd));
	EXPECT_REFUSED("'lwk,memory' is 20 bytes, not a multiple of 16");
	set_raw(LWK_BD_MEMORY, zero, sizeof(zero));
	EXPECT_REFUSED("'lwk,memory' has no nonzero range");
	set_raw(LWK_BD_MEMORY, NULL, 0);
	EXPECT_REFUSED("'lwk,memory' has no nonzero range");
	set_range(LWK_BD_MEMORY, 0xfffffffffff00000, 0x100000);
	EXPECT_REFUSED(
	    "'lwk,memory' range 0 (base 0xfffffffffff00000 size 0x100000) runs past the end");
	set_range(LWK_BD_MEMORY, 0xfffffffffff00000, 0xfffff);
	EXPECT_EQ(parse(), 0);
	del(LWK_BD_MEMORY);
	EXPECT_REFUSED("no 'lwk,memory' on the root node");
}

HTEST(bootdesc, memory_too_many_ranges)
{
	build(1, LWK_BD_MAX_RANGES + 1);
	EXPECT_REFUSED("'lwk,memory' has 65 ranges, more than 64");
}

HTEST(bootdesc, reserved)
{
	fdt64_t wrap[4] = { cpu_to_fdt64(MEM_BASE), cpu_to_fdt64(0x1000), cpu_to_fdt64(2),
			    cpu_to_fdt64(UINT64_MAX) };

	build_good();
	set_raw(LWK_BD_RESERVED, wrap, 8);
	EXPECT_REFUSED("'lwk,reserved' is 8 bytes, not a multiple of 16");
	set_raw(LWK_BD_RESERVED, wrap, sizeof(wrap));
	EXPECT_REFUSED("'lwk,reserved' range 1 (base 0x2 size 0xffffffffffffffff)");
}

/* ---- trampoline, log, doorbell ---------------------------------------------------- */

HTEST(bootdesc, trampoline)
{
	build_good();
	set_range(LWK_BD_TRAMPOLINE, 0xff000, 0x2000);
	EXPECT_REFUSED("'lwk,trampoline' (0xff000, size 0x2000) does not lie below 1 MiB");
	set_range(LWK_BD_TRAMPOLINE, 0x8800, 0x1000);
	EXPECT_REFUSED("'lwk,trampoline' base 0x8800 is not 4 KiB aligned");
	set_range(LWK_BD_TRAMPOLINE, 0x8000, 0x800);
	EXPECT_REFUSED("'lwk,trampoline' size 0x800 is less than 4 KiB");
	set_u64(LWK_BD_TRAMPOLINE, 0x8000);
	EXPECT_REFUSED("'lwk,trampoline' is 8 bytes, expected 16");
	set_range(LWK_BD_TRAMPOLINE, 0xff000, 0x1000);
	EXPECT_EQ(parse(), 0);
	set_range(LWK_BD_MEMORY, 0x0, 0x1000000);
	EXPECT_REFUSED("'lwk,trampoline' (0xff000) overlaps 'lwk,memory' range 0");
	del(LWK_BD_TRAMPOLINE);
	EXPECT_REFUSED("no 'lwk,trampoline' on the root node");
}

HTEST(bootdesc, log_and_notify)
{
	build_good();
	set_u64(LWK_BD_LOG, 0x1000);
	EXPECT_REFUSED("'lwk,log' is 8 bytes, expected 16");
	set_range(LWK_BD_LOG, UINT64_MAX, 2);
	EXPECT_REFUSED("'lwk,log' range 0");
	del(LWK_BD_LOG);
	set_u32(LWK_BD_NOTIFY_IPI, 0xf3);
	EXPECT_REFUSED("'lwk,notify-ipi' is 4 bytes, expected 8");
}

HTEST(bootdesc, notify_checked)
{
	uint32_t ipi[2] = { cpu_to_fdt32(0x1f), cpu_to_fdt32(7) };

	build_good();
	set_raw(LWK_BD_NOTIFY_IPI, ipi, sizeof(ipi));
	EXPECT_REFUSED("'lwk,notify-ipi' vector 31 is not an interrupt vector (32-255)");
	ipi[0] = cpu_to_fdt32(256);
	set_raw(LWK_BD_NOTIFY_IPI, ipi, sizeof(ipi));
	EXPECT_REFUSED("vector 256 is not an interrupt vector");
	ipi[0] = cpu_to_fdt32(0xf3);
	ipi[1] = cpu_to_fdt32(4); /* cpu@2 */
	set_raw(LWK_BD_NOTIFY_IPI, ipi, sizeof(ipi));
	EXPECT_REFUSED("'lwk,notify-ipi' names APIC ID 0x4, which is cpu@2 of the LWK");
	ipi[1] = cpu_to_fdt32(5);
	set_raw(LWK_BD_NOTIFY_IPI, ipi, sizeof(ipi));
	EXPECT_EQ(parse(), 0);
	EXPECT_EQ(bd.notify_vector, 0xf3);
	EXPECT_EQ(bd.notify_apic_id, 5);
}

/* ---- where the image runs, and the devices it may touch ------------------------ */

HTEST(bootdesc, kernel_and_ports_absent)
{
	build_good();
	EXPECT_EQ(parse(), 0);
	EXPECT_EQ(bd.kernel.size, 0);
	EXPECT(!bd.has_uart_port);
	EXPECT(!bd.has_exit_port);
}

HTEST(bootdesc, kernel)
{
	build_good();
	set_range(LWK_BD_KERNEL, 0x40000000, 0x1345000);
	EXPECT_EQ(parse(), 0);
	EXPECT_EQ(bd.kernel.base, 0x40000000);
	EXPECT_EQ(bd.kernel.size, 0x1345000);
	set_range(LWK_BD_KERNEL, 0x40100000, 0x1345000);
	EXPECT_REFUSED("'lwk,kernel' (0x40100000, size 0x1345000) is empty or not 2 MiB aligned");
	set_range(LWK_BD_KERNEL, 0x40000000, 0);
	EXPECT_REFUSED("'lwk,kernel' (0x40000000, size 0x0) is empty");
	set_range(LWK_BD_KERNEL, UINT64_MAX - 0x1fffff, 0x400000);
	EXPECT_REFUSED("'lwk,kernel' range 0");
	set_u64(LWK_BD_KERNEL, 0x40000000);
	EXPECT_REFUSED("'lwk,kernel' is 8 bytes, expected 16");
}

HTEST(bootdesc, ports)
{
	build_good();
	set_u32(LWK_BD_UART_PORT, 0x3f8);
	set_u32(LWK_BD_EXIT_PORT, 0xf4);
	EXPECT_EQ(parse(), 0);
	EXPECT(bd.has_uart_port);
	EXPECT_EQ(bd.uart_port, 0x3f8);
	EXPECT(bd.has_exit_port);
	EXPECT_EQ(bd.exit_port, 0xf4);
	set_u32(LWK_BD_UART_PORT, 0x10000);
	EXPECT_REFUSED("'lwk,uart-port' is 0x10000, not an I/O port (1-0xffff)");
	set_u32(LWK_BD_UART_PORT, 0x2f8);
	set_u32(LWK_BD_EXIT_PORT, 0);
	EXPECT_REFUSED("'lwk,exit-port' is 0x0, not an I/O port");
	set_u64(LWK_BD_EXIT_PORT, 0xf4);
	EXPECT_REFUSED("'lwk,exit-port' is 8 bytes, expected 4");
	del(LWK_BD_EXIT_PORT);
	EXPECT_EQ(parse(), 0);
	EXPECT_EQ(bd.uart_port, 0x2f8);
	EXPECT(!bd.has_exit_port);
}

/* ---- the channel ---------------------------------------------------------------- */

#define CHAN_BASE (MEM_BASE + 0x1000000)
#define CHAN_SIZE 0x400000ull

HTEST(bootdesc, channel)
{
	build_good();
	EXPECT_EQ(parse(), 0);
	EXPECT_EQ(bd.channel.size, 0); /* optional */
	set_range(LWK_BD_CHANNEL, CHAN_BASE, CHAN_SIZE);
	EXPECT_EQ(parse(), 0);
	EXPECT_EQ(bd.channel.base, CHAN_BASE);
	EXPECT_EQ(bd.channel.size, CHAN_SIZE);
	/* Not listed in lwk,reserved: the reader reserves it. */
	EXPECT_EQ(bd.n_reserved, 2);
	EXPECT_EQ(bd.reserved[1].base, CHAN_BASE);
	EXPECT_EQ(bd.reserved[1].size, CHAN_SIZE);
	/* Listed already (inside a larger range): not twice. */
	set_range(LWK_BD_RESERVED, MEM_BASE, 0x2000000);
	EXPECT_EQ(parse(), 0);
	EXPECT_EQ(bd.n_reserved, 1);
	/* The smallest there can be, at the very end of a memory range. */
	set_range(LWK_BD_CHANNEL, MEM_BASE + 0x8000000 - LWK_BD_CHANNEL_MIN_SIZE,
		  LWK_BD_CHANNEL_MIN_SIZE);
	EXPECT_EQ(parse(), 0);
}

HTEST(bootdesc, channel_bad)
{
	build_good();
	set_range(LWK_BD_CHANNEL, CHAN_BASE + 0x800, CHAN_SIZE);
	EXPECT_REFUSED("'lwk,channel' (0x101000800, size 0x400000) is not 4 KiB aligned");
	set_range(LWK_BD_CHANNEL, CHAN_BASE, CHAN_SIZE + 1);
	EXPECT_REFUSED("'lwk,channel' (0x101000000, size 0x400001) is not 4 KiB aligned");
	set_range(LWK_BD_CHANNEL, CHAN_BASE, 0);
	EXPECT_REFUSED("'lwk,channel' size 0x0 is less than the 2048 KiB the channel needs");
	set_range(LWK_BD_CHANNEL, CHAN_BASE, 0x1ff000);
	EXPECT_REFUSED("size 0x1ff000 is less than the 2048 KiB");
	/* Across the end of the first memory range, in the gap, below it. */
	set_range(LWK_BD_CHANNEL, MEM_BASE + 0x7f00000, CHAN_SIZE);
	EXPECT_REFUSED("'lwk,channel' (0x107f00000, size 0x400000) does not lie inside one "
		       "'lwk,memory' range");
	set_range(LWK_BD_CHANNEL, MEM_BASE + 0x9000000, CHAN_SIZE);
	EXPECT_REFUSED("does not lie inside one 'lwk,memory' range");
	set_range(LWK_BD_CHANNEL, 0x1000000, CHAN_SIZE);
	EXPECT_REFUSED("does not lie inside one 'lwk,memory' range");
	set_range(LWK_BD_CHANNEL, UINT64_MAX - 0xfff, 0x40000);
	EXPECT_REFUSED("'lwk,channel' range 0");
	set_u64(LWK_BD_CHANNEL, CHAN_BASE);
	EXPECT_REFUSED("'lwk,channel' is 8 bytes, expected 16");
}

/* With lwk,reserved full, the channel cannot be reserved: refused rather
 * than left for the allocator. */
HTEST(bootdesc, channel_reserved_full)
{
	fdt64_t v[2 * LWK_BD_MAX_RANGES];

	build_good();
	for (unsigned int i = 0; i < LWK_BD_MAX_RANGES; i++) {
		v[2 * i] = cpu_to_fdt64(MEM_BASE + i * 0x10000);
		v[2 * i + 1] = cpu_to_fdt64(0x1000);
	}
	set_raw(LWK_BD_RESERVED, v, sizeof(v));
	EXPECT_EQ(parse(), 0);
	set_range(LWK_BD_CHANNEL, CHAN_BASE, CHAN_SIZE);
	EXPECT_REFUSED("'lwk,reserved' has 64 ranges and no room to reserve 'lwk,channel'");
}

/* ---- bootargs ---------------------------------------------------------------- */

HTEST(bootdesc, bootargs)
{
	char args[LWK_BD_MAX_BOOTARGS + 1];

	build_good();
	ok(fdt_setprop(tree, node("/chosen"), "bootargs", "abc", 3), "args");
	EXPECT_REFUSED("/chosen/bootargs is not NUL-terminated");
	memset(args, 'a', sizeof(args) - 1);
	args[sizeof(args) - 1] = '\0';
	ok(fdt_setprop_string(tree, node("/chosen"), "bootargs", args), "args");
	EXPECT_REFUSED("/chosen/bootargs is 1025 bytes, more than 1024");
	/* A NUL inside ends the string; what follows is ignored. */
	ok(fdt_setprop(tree, node("/chosen"), "bootargs", "ab\0cd", 5), "args");
	EXPECT_EQ(parse(), 0);
	EXPECT(!strcmp(bd.bootargs, "ab"));
}

/* ---- cpus ------------------------------------------------------------------------ */

HTEST(bootdesc, cpus_missing)
{
	build_good();
	ok(fdt_del_node(tree, node("/cpus")), "del cpus");
	EXPECT_REFUSED("no /cpus node");
}

HTEST(bootdesc, cpus_empty)
{
	build_good();
	ok(fdt_del_node(tree, node("/cpus/cpu@2")), "del");
	ok(fdt_del_node(tree, node("/cpus/cpu@1")), "del");
	ok(fdt_del_node(tree, node("/cpus/cpu@0")), "del");
	EXPECT_REFUSED("/cpus has no cpu@N nodes");
}

HTEST(bootdesc, cpus_out_of_order)
{
	int one, two;

	build_good();
	one = node("/cpus/cpu@1");
	two = node("/cpus/cpu@2");
	ok(fdt_set_name(tree, one, "cpu@2"), "rename");
	ok(fdt_set_name(tree, two, "cpu@1"), "rename");
	EXPECT_REFUSED("/cpus/cpu@2 is out of place: node 1 must be cpu@1");
}

HTEST(bootdesc, cpus_gap)
{
	build_good();
	ok(fdt_del_node(tree, node("/cpus/cpu@1")), "del");
	EXPECT_REFUSED("/cpus/cpu@2 is out of place: node 1 must be cpu@1");
}

HTEST(bootdesc, cpus_bad_names)
{
	int map;

	build_good();
	ok(fdt_set_name(tree, node("/cpus/cpu@1"), "cpu@01"), "rename");
	EXPECT_REFUSED("/cpus/cpu@01 is out of place");
	build_good();
	ok(fdt_set_name(tree, node("/cpus/cpu@0"), "cpu"), "rename");
	EXPECT_REFUSED("/cpus/cpu is out of place: node 0 must be cpu@0");
	build_good();
	map = fdt_add_subnode(tree, node("/cpus"), "cpu-map");
	ok(map < 0 ? map : 0, "add");
	EXPECT_REFUSED("/cpus/cpu-map is out of place: node 0 must be cpu@0");
}

HTEST(bootdesc, cpus_reg)
{
	build_good();
	ok(fdt_delprop(tree, node("/cpus/cpu@1"), "reg"), "del reg");
	EXPECT_REFUSED("/cpus/cpu@1 has no 'reg'");
	ok(fdt_setprop_u64(tree, node("/cpus/cpu@1"), "reg", 2), "reg");
	EXPECT_REFUSED("/cpus/cpu@1: 'reg' is 8 bytes, expected 4");
}

HTEST(bootdesc, cpus_duplicate_apic_id)
{
	build_good();
	ok(fdt_setprop_u32(tree, node("/cpus/cpu@2"), "reg", 2), "reg");
	EXPECT_REFUSED("/cpus/cpu@2 has APIC ID 2 (0x2), like /cpus/cpu@1");
}

HTEST(bootdesc, cpus_too_many)
{
	build(LWK_BD_MAX_CPUS + 1, 1);
	EXPECT_REFUSED("/cpus has more than 256 cpu nodes");
}

/* ---- program (a bare run) ------------------------------------------------------ */

HTEST(bootdesc, program)
{
	build_good();
	put_program();
	EXPECT_EQ(parse(), 0);
	EXPECT(bd.program.present);
	EXPECT_EQ(bd.program.image.base, PROG_IMAGE);
	EXPECT_EQ(bd.program.image.size, 0x12345);
	EXPECT_EQ(bd.program.interp.base, PROG_INTERP);
	EXPECT_EQ(bd.program.interp.size, 0x800);
	EXPECT_EQ(bd.program.argv_len, sizeof(PROG_ARGV));
	EXPECT(!memcmp(bd.program.argv, PROG_ARGV, sizeof(PROG_ARGV)));
	EXPECT_EQ(bd.program.envp_len, sizeof(PROG_ENVP));
	EXPECT(!memcmp(bd.program.envp, PROG_ENVP, sizeof(PROG_ENVP)));
	EXPECT_EQ(bd.program.mem, 0x40000000);
	EXPECT_EQ(bd.program.cpus, 3);
}

/* A static program with the defaults: no interpreter, memory or core count,
 * and an empty environment. */
HTEST(bootdesc, program_minimal)
{
	int at;

	build_good();
	at = put_program();
	ok(fdt_delprop(tree, at, LWK_BD_PROGRAM_INTERP), "del interp");
	ok(fdt_delprop(tree, at, LWK_BD_PROGRAM_MEM), "del mem");
	ok(fdt_delprop(tree, at, LWK_BD_PROGRAM_CPUS), "del cpus");
	set_prop(at, LWK_BD_PROGRAM_ENVP, NULL, 0);
	memset(&bd, 0xa5, sizeof(bd));
	EXPECT_EQ(parse(), 0);
	EXPECT(bd.program.present);
	EXPECT_EQ(bd.program.interp.base, 0);
	EXPECT_EQ(bd.program.interp.size, 0);
	EXPECT_EQ(bd.program.envp_len, 0);
	EXPECT_EQ(bd.program.mem, 0);
	EXPECT_EQ(bd.program.cpus, 0);
}

/* Each range must be exactly one pair, and the refusal names the property. */
HTEST(bootdesc, program_range_sizes)
{
	fdt64_t three[3] = { 0 };
	int at;

	build_good();
	at = put_program();
	set_prop(at, LWK_BD_PROGRAM_REG, three, 8);
	EXPECT_REFUSED("'/program/reg' must be one 16-byte base/size pair");
	set_prop(at, LWK_BD_PROGRAM_REG, three, 24);
	EXPECT_REFUSED("'/program/reg' must be one 16-byte base/size pair");
	ok(fdt_delprop(tree, at, LWK_BD_PROGRAM_REG), "del reg");
	EXPECT_REFUSED("'/program/reg' is missing");
	set_range_at(at, LWK_BD_PROGRAM_REG, PROG_IMAGE, 0x1000);
	set_prop(at, LWK_BD_PROGRAM_INTERP, three, 8);
	EXPECT_REFUSED("'/program/lwk,interp' must be one 16-byte base/size pair");
	set_prop(at, LWK_BD_PROGRAM_INTERP, NULL, 0);
	EXPECT_REFUSED("'/program/lwk,interp' must be one 16-byte base/size pair");
}

/* base + size must not wrap: the kernel maps the image from there. */
HTEST(bootdesc, program_range_wraps)
{
	int at;

	build_good();
	at = put_program();
	set_range_at(at, LWK_BD_PROGRAM_REG, 0xfffffffffffff000, 0x2000);
	EXPECT_REFUSED(
	    "'/program' range 0 (base 0xfffffffffffff000 size 0x2000) runs past the end");
	set_range_at(at, LWK_BD_PROGRAM_REG, PROG_IMAGE, 0x1000);
	set_range_at(at, LWK_BD_PROGRAM_INTERP, 2, UINT64_MAX);
	EXPECT_REFUSED("'/program' range 1 (base 0x2 size 0xffffffffffffffff) runs past the end");
}

HTEST(bootdesc, program_strings)
{
	int at;

	build_good();
	at = put_program();
	set_prop(at, LWK_BD_PROGRAM_ARGV, NULL, 0);
	EXPECT_REFUSED("'/program/argv' is empty: a program needs argv[0]");
	set_prop(at, LWK_BD_PROGRAM_ARGV, "app", 3);
	EXPECT_REFUSED("'/program/argv' does not end in a NUL");
	ok(fdt_delprop(tree, at, LWK_BD_PROGRAM_ARGV), "del argv");
	EXPECT_REFUSED("'/program/argv' is missing");
	set_prop(at, LWK_BD_PROGRAM_ARGV, PROG_ARGV, sizeof(PROG_ARGV));
	set_prop(at, LWK_BD_PROGRAM_ENVP, "K=V\0X", 5);
	EXPECT_REFUSED("'/program/envp' does not end in a NUL");
	ok(fdt_delprop(tree, at, LWK_BD_PROGRAM_ENVP), "del envp");
	EXPECT_REFUSED("'/program/envp' is missing");
}

/* A memory size or core count of the wrong width is refused, not read as
 * "the default" (which would hand the program every core). */
HTEST(bootdesc, program_numbers)
{
	int at;

	build_good();
	at = put_program();
	ok(fdt_setprop_u32(tree, at, LWK_BD_PROGRAM_MEM, 0x40000000), "mem");
	EXPECT_REFUSED("'/program/lwk,mem' is 4 bytes, expected 8");
	ok(fdt_setprop_u64(tree, at, LWK_BD_PROGRAM_MEM, 0x40000000), "mem");
	ok(fdt_setprop_u64(tree, at, LWK_BD_PROGRAM_CPUS, 3), "cpus");
	EXPECT_REFUSED("'/program/lwk,cpus' is 8 bytes, expected 4");
}

/* A message that does not fit is cut, never overrun. */
HTEST(bootdesc, short_error_buffer)
{
	char small[24];

	memset(small, 'z', sizeof(small));
	build_good();
	del(LWK_BD_TSC_HZ);
	EXPECT_EQ(bootdesc_parse(tree, sizeof(tree), &bd, small, 8), -EINVAL);
	EXPECT(!strcmp(small, "boot de"));
	EXPECT_EQ(small[8], 'z');
	EXPECT_EQ(bootdesc_parse(tree, sizeof(tree), &bd, NULL, 0), -EINVAL);
}

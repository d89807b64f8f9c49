// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of the boot-description shim: a multiboot2 boot information,
 * a PVH start info and ACPI tables are built in host buffers that stand for
 * physical memory; the shim's FDT is read back with bootdesc_parse().
 * Every buffer is exactly as large as the structure it holds, so ASan
 * catches a read past its end.
 */
#include <libfdt.h>
#include <stdlib.h>
#include "htest.h"
#include "shim.h"
#include "shim_internal.h"
#include <lwk/bootdesc.h>
#include <lwk/errno.h>
#include <uapi/lwk/abi.h>
#include <uapi/lwk/bare.h>

/* ---- fake physical memory ------------------------------------------------- */

struct region {
	uint64_t base;
	uint64_t size;
	uint8_t *buf;
};

struct fake_phys {
	struct region r[16];
	unsigned int n;
};

static const void *fp_map(void *ctx, uint64_t pa, uint64_t len)
{
	struct fake_phys *m = ctx;

	for (unsigned int i = 0; i < m->n; i++) {
		struct region *r = &m->r[i];

		if (pa >= r->base && len <= r->size && pa - r->base <= r->size - len)
			return r->buf + (pa - r->base);
	}
	return NULL;
}

static uint8_t *fp_add(struct fake_phys *m, uint64_t base, uint64_t size)
{
	struct region *r = &m->r[m->n++];

	r->base = base;
	r->size = size;
	r->buf = calloc(1, size);
	return r->buf;
}

static uint8_t *fp_ptr(struct fake_phys *m, uint64_t pa)
{
	return (uint8_t *)fp_map(m, pa, 1);
}

static void fp_free(struct fake_phys *m)
{
	for (unsigned int i = 0; i < m->n; i++)
		free(m->r[i].buf);
	m->n = 0;
}

/* A shim test with its own fake physical memory @m, freed when the test
 * returns. */
#define SHIM_TEST(name)                                    \
	static void shim_test_##name(struct fake_phys *m); \
	HTEST(shim, name)                                  \
	{                                                  \
		struct fake_phys phys = { 0 };             \
		shim_test_##name(&phys);                   \
		fp_free(&phys);                            \
	}                                                  \
	static void shim_test_##name(struct fake_phys *m)

static void wr16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void wr64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* ---- the machine the tests describe --------------------------------------- */

#define BOOT_APIC 1
#define TSC_HZ 2400000000ull
#define KERNEL_START 0x200000ull
#define KERNEL_END 0x1345678ull
#define MOD1_START 0x3000000u
#define MOD1_END 0x3000800u
#define MOD2_START 0x4000000u
#define MOD2_END 0x4100123u
#define MBI_PA 0x10000ull
#define PVH_PA 0x6000ull
#define ACPI_PA 0x7ffe0000ull
#define RSDP_PA (ACPI_PA + 0x000)
#define XSDT_PA (ACPI_PA + 0x040)
#define RSDT_PA (ACPI_PA + 0x100)
#define FACP_PA (ACPI_PA + 0x200)
#define MADT_PA (ACPI_PA + 0x400)
#define ACPI_SIZE 0x1000

struct ment {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

/* Low RAM with the EBDA cut off, a hole, RAM from 1 MiB in two adjacent
 * entries, ACPI, a PCI hole, RAM above 4 GiB in two overlapping entries,
 * and a small range that is not page aligned. */
static const struct ment std_map[] = {
	{ 0x0, 0x9fc00, 1 },	     { 0x9fc00, 0x400, 2 },	     { 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x3ff00000, 1 }, { 0x40000000, 0x3ffe0000, 1 },  { 0x7ffe0000, 0x20000, 3 },
	{ 0xfeffc000, 0x4000, 2 },   { 0x100000000, 0x80000000, 1 }, { 0x17ffff000, 0x2000, 1 },
	{ 0x200000800, 0x1800, 1 },
};

static struct shim_env test_env(struct fake_phys *m)
{
	return (struct shim_env){
		.phys = fp_map,
		.ctx = m,
		.boot_apic_id = BOOT_APIC,
		.tsc_hz = TSC_HZ,
		.kernel_start = KERNEL_START,
		.kernel_end = KERNEL_END,
		.uart_port = 0x3f8,
		.exit_port = 0xf4,
	};
}

static uint8_t out[LWK_BD_MAX_SIZE] __attribute__((aligned(8)));
static struct bootdesc bd;
static char err[512];
static char perr[512];

static int parse_out(void)
{
	int ret = bootdesc_parse(out, sizeof(out), &bd, perr, sizeof(perr));

	if (ret)
		printf("  bootdesc_parse: %s\n", perr);
	return ret;
}

#define EXPECT_FAIL(ret, code, text)              \
	do {                                      \
		EXPECT_EQ((ret), (code));         \
		EXPECT_STR_CONTAINS(err, (text)); \
		EXPECT(!strchr(err, '\n'));       \
	} while (0)

/* ---- ACPI tables ------------------------------------------------------------ */

static void acpi_checksum(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;

	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	p[at] = -sum;
}

static void sdt_header(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	wr32(t + 4, len);
	t[8] = 1;
	memcpy(t + 10, "LWKTST", 6);
}

static size_t madt_lapic(uint8_t *e, uint8_t acpi_id, uint8_t apic_id, uint32_t flags)
{
	e[0] = 0;
	e[1] = 8;
	e[2] = acpi_id;
	e[3] = apic_id;
	wr32(e + 4, flags);
	return 8;
}

static size_t madt_x2apic(uint8_t *e, uint32_t id, uint32_t flags)
{
	e[0] = 9;
	e[1] = 16;
	wr16(e + 2, 0);
	wr32(e + 4, id);
	wr32(e + 8, flags);
	wr32(e + 12, id);
	return 16;
}

static size_t madt_ioapic(uint8_t *e)
{
	memset(e, 0, 12);
	e[0] = 1;
	e[1] = 12;
	wr32(e + 4, 0xfec00000);
	return 12;
}

/* Four local APICs (APIC ID 2 disabled, ID 5 only online-capable), an I/O
 * APIC, an x2APIC, and an x2APIC entry repeating ID 3. */
static size_t std_madt(uint8_t *e)
{
	size_t n = 0;

	n += madt_lapic(e + n, 0, 0, 1);
	n += madt_lapic(e + n, 1, 1, 1);
	n += madt_ioapic(e + n);
	n += madt_lapic(e + n, 2, 2, 0);
	n += madt_lapic(e + n, 3, 3, 1);
	n += madt_lapic(e + n, 5, 5, 2);
	n += madt_x2apic(e + n, 0x100, 1);
	n += madt_x2apic(e + n, 3, 1);
	return n;
}

static void rsdp_fill(uint8_t *r, uint8_t revision, uint32_t rsdt, uint64_t xsdt)
{
	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "LWKTST", 6);
	r[15] = revision;
	wr32(r + 16, rsdt);
	wr32(r + 20, 36);
	wr64(r + 24, xsdt);
	acpi_checksum(r, 20, 8);
	acpi_checksum(r, 36, 32);
}

/*
 * XSDT and RSDT -> { FACP, MADT (if @entries) }, and an RSDP at RSDP_PA;
 * a copy of the RSDP lands in @rsdp for the loader's tag.
 */
static void acpi_build(struct fake_phys *m, const uint8_t *entries, size_t n, uint8_t *rsdp)
{
	uint8_t *a = fp_add(m, ACPI_PA, ACPI_SIZE);
	uint8_t *xsdt = a + (XSDT_PA - ACPI_PA), *rsdt = a + (RSDT_PA - ACPI_PA);
	uint8_t *facp = a + (FACP_PA - ACPI_PA), *madt = a + (MADT_PA - ACPI_PA);
	unsigned int tables = entries ? 2 : 1;

	sdt_header(facp, "FACP", 36);
	acpi_checksum(facp, 36, 9);
	if (entries) {
		sdt_header(madt, "APIC", 44 + n);
		wr32(madt + 36, 0xfee00000);
		wr32(madt + 40, 1);
		memcpy(madt + 44, entries, n);
		acpi_checksum(madt, 44 + n, 9);
	}
	sdt_header(xsdt, "XSDT", 36 + 8 * tables);
	wr64(xsdt + 36, FACP_PA);
	wr64(xsdt + 44, MADT_PA);
	acpi_checksum(xsdt, 36 + 8 * tables, 9);
	sdt_header(rsdt, "RSDT", 36 + 4 * tables);
	wr32(rsdt + 36, FACP_PA);
	wr32(rsdt + 40, MADT_PA);
	acpi_checksum(rsdt, 36 + 4 * tables, 9);
	rsdp_fill(a + (RSDP_PA - ACPI_PA), 2, RSDT_PA, XSDT_PA);
	memcpy(rsdp, a + (RSDP_PA - ACPI_PA), 36);
}

static void acpi_build_std(struct fake_phys *m, uint8_t *rsdp)
{
	uint8_t e[128];

	acpi_build(m, e, std_madt(e), rsdp);
}

static void madt_refresh(struct fake_phys *m)
{
	uint8_t *madt = fp_ptr(m, MADT_PA);

	acpi_checksum(madt, *(uint32_t *)(madt + 4), 9);
}

/* ---- multiboot2 boot information -------------------------------------------- */

struct mb2b {
	uint8_t buf[16384];
	uint32_t len;
};

static struct mb2b mb2b_storage;

static struct mb2b *mb2b_new(void)
{
	memset(&mb2b_storage, 0, sizeof(mb2b_storage));
	mb2b_storage.len = 8;
	return &mb2b_storage;
}

static uint8_t *mb2b_tag(struct mb2b *b, uint32_t type, uint32_t size)
{
	uint8_t *t = b->buf + b->len;

	wr32(t, type);
	wr32(t + 4, size);
	b->len += (size + 7) & ~7u;
	return t;
}

static void mb2b_cmdline(struct mb2b *b, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(mb2b_tag(b, 1, 8 + n) + 8, s, n);
}

static void mb2b_module(struct mb2b *b, uint32_t start, uint32_t end, const char *name)
{
	size_t n = strlen(name) + 1;
	uint8_t *t = mb2b_tag(b, 3, 16 + n);

	wr32(t + 8, start);
	wr32(t + 12, end);
	memcpy(t + 16, name, n);
}

static void mb2b_mmap(struct mb2b *b, const struct ment *e, unsigned int n)
{
	uint8_t *t = mb2b_tag(b, 6, 16 + 24 * n);

	wr32(t + 8, 24);
	wr32(t + 12, 0);
	for (unsigned int i = 0; i < n; i++) {
		wr64(t + 16 + 24 * i, e[i].base);
		wr64(t + 24 + 24 * i, e[i].len);
		wr32(t + 32 + 24 * i, e[i].type);
	}
}

static void mb2b_acpi(struct mb2b *b, uint32_t type, const uint8_t *rsdp, size_t len)
{
	memcpy(mb2b_tag(b, type, 8 + len) + 8, rsdp, len);
}

/* Seal (with an end tag unless told not to) and copy to MBI_PA. */
static uint64_t mb2b_place(struct mb2b *b, struct fake_phys *m, bool end_tag)
{
	if (end_tag)
		mb2b_tag(b, 0, 8);
	wr32(b->buf, b->len);
	memcpy(fp_add(m, MBI_PA, b->len), b->buf, b->len);
	return MBI_PA;
}

/* The usual GRUB boot: command line, modules, memory map, ACPI 2.0 tag. */
static uint64_t mb2_std(struct fake_phys *m, const char *cmdline)
{
	struct mb2b *b = mb2b_new();
	uint8_t rsdp[36];

	acpi_build_std(m, rsdp);
	mb2b_cmdline(b, cmdline);
	mb2b_module(b, MOD1_START, MOD1_END, "initrd");
	mb2b_mmap(b, std_map, ARRAY_SIZE(std_map));
	mb2b_module(b, MOD2_START, MOD2_END, "app --verbose");
	mb2b_acpi(b, 15, rsdp, 36);
	return mb2b_place(b, m, true);
}

static int run_mb2(struct fake_phys *m, uint64_t pa)
{
	struct shim_env env = test_env(m);

	memset(out, 0, sizeof(out));
	return shim_from_multiboot2(&env, pa, out, sizeof(out), err, sizeof(err));
}

static void expect_std_memory(void)
{
	EXPECT_EQ(bd.n_memory, 3);
	EXPECT_EQ(bd.memory[0].base, 0x100000);
	EXPECT_EQ(bd.memory[0].size, 0x7ffe0000 - 0x100000);
	EXPECT_EQ(bd.memory[1].base, 0x100000000);
	EXPECT_EQ(bd.memory[1].size, 0x80001000);
	EXPECT_EQ(bd.memory[2].base, 0x200001000);
	EXPECT_EQ(bd.memory[2].size, 0x1000);
}

static void expect_std_reserved(void)
{
	EXPECT_EQ(bd.n_reserved, 3);
	EXPECT_EQ(bd.reserved[0].base, KERNEL_START);
	EXPECT_EQ(bd.reserved[0].size, 0x1346000 - KERNEL_START);
	EXPECT_EQ(bd.reserved[1].base, MOD1_START);
	EXPECT_EQ(bd.reserved[1].size, 0x1000);
	EXPECT_EQ(bd.reserved[2].base, MOD2_START);
	EXPECT_EQ(bd.reserved[2].size, 0x101000);
}

static void expect_std_cpus(void)
{
	EXPECT_EQ(bd.n_cpus, 4);
	EXPECT_EQ(bd.cpu_apic_id[0], BOOT_APIC);
	EXPECT_EQ(bd.cpu_apic_id[1], 0);
	EXPECT_EQ(bd.cpu_apic_id[2], 3);
	EXPECT_EQ(bd.cpu_apic_id[3], 0x100);
}

/* ---- multiboot2: the good case ----------------------------------------------- */

SHIM_TEST(mb2_full)
{
	int cpus;

	EXPECT_EQ(run_mb2(m, mb2_std(m, "console=ttyS0 lwk.log=debug")), 0);
	EXPECT_EQ(err[0], '\0');
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.tsc_hz, TSC_HZ);
	EXPECT_EQ(bd.wallclock_offset_ns, 0);
	expect_std_memory();
	expect_std_reserved();
	EXPECT_EQ(bd.trampoline.base, 0x8000);
	EXPECT_EQ(bd.trampoline.size, SHIM_TRAMPOLINE_SIZE);
	EXPECT_EQ(bd.log.size, 0);
	EXPECT(!bd.has_notify_ipi);
	EXPECT_EQ(bd.kernel.base, KERNEL_START);
	EXPECT_EQ(bd.kernel.size, KERNEL_END - KERNEL_START);
	EXPECT(bd.has_uart_port);
	EXPECT_EQ(bd.uart_port, 0x3f8);
	EXPECT(bd.has_exit_port);
	EXPECT_EQ(bd.exit_port, 0xf4);
	EXPECT(!strcmp(bd.bootargs, "console=ttyS0 lwk.log=debug"));
	expect_std_cpus();
	cpus = fdt_path_offset(out, "/cpus");
	EXPECT(cpus >= 0);
	EXPECT_EQ(fdt32_ld(fdt_getprop(out, cpus, "#address-cells", NULL)), 1);
	EXPECT_EQ(fdt32_ld(fdt_getprop(out, cpus, "#size-cells", NULL)), 0);
	EXPECT(fdt_totalsize(out) < 4096);
}

/* A producer with no console and no exit device writes neither key. */
SHIM_TEST(mb2_no_ports)
{
	struct shim_env env = test_env(m);

	env.uart_port = 0;
	env.exit_port = 0;
	EXPECT_EQ(shim_from_multiboot2(&env, mb2_std(m, ""), out, sizeof(out), err, sizeof(err)),
		  0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT(!bd.has_uart_port);
	EXPECT(!bd.has_exit_port);
	EXPECT_EQ(bd.kernel.base, KERNEL_START);
}

/* The boot core comes first even when the MADT does not list it. */
SHIM_TEST(mb2_boot_core_not_in_madt)
{
	struct mb2b *b = mb2b_new();
	uint8_t e[64], rsdp[36];
	size_t n = 0;

	n += madt_lapic(e + n, 0, 4, 1);
	n += madt_lapic(e + n, 1, 6, 1);
	acpi_build(m, e, n, rsdp);
	mb2b_mmap(b, std_map, ARRAY_SIZE(std_map));
	mb2b_acpi(b, 15, rsdp, 36);
	EXPECT_EQ(run_mb2(m, mb2b_place(b, m, true)), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.n_cpus, 3);
	EXPECT_EQ(bd.cpu_apic_id[0], BOOT_APIC);
	EXPECT_EQ(bd.cpu_apic_id[1], 4);
	EXPECT_EQ(bd.cpu_apic_id[2], 6);
	EXPECT(!strcmp(bd.bootargs, ""));
}

/* ACPI 1.0: only the old tag, whose RSDP leads to the RSDT. */
SHIM_TEST(mb2_acpi_old_rsdt)
{
	struct mb2b *b = mb2b_new();
	uint8_t rsdp[36];

	acpi_build_std(m, rsdp);
	rsdp_fill(rsdp, 0, RSDT_PA, 0);
	/* A broken XSDT proves that the RSDT is the one read. */
	fp_ptr(m, XSDT_PA)[9] ^= 0xff;
	mb2b_mmap(b, std_map, ARRAY_SIZE(std_map));
	mb2b_acpi(b, 14, rsdp, 20);
	EXPECT_EQ(run_mb2(m, mb2b_place(b, m, true)), 0);
	EXPECT_EQ(parse_out(), 0);
	expect_std_cpus();
}

/* Both ACPI tags: the 2.0 one wins even when the 1.0 one comes last (this
 * 1.0 copy is broken, so using it would fail). */
SHIM_TEST(mb2_acpi_new_tag_wins)
{
	struct mb2b *b = mb2b_new();
	uint8_t rsdp[36], old[36];

	acpi_build_std(m, rsdp);
	memcpy(old, rsdp, sizeof(old));
	old[8] ^= 1;
	mb2b_acpi(b, 15, rsdp, 36);
	mb2b_acpi(b, 14, old, 20);
	mb2b_mmap(b, std_map, ARRAY_SIZE(std_map));
	EXPECT_EQ(run_mb2(m, mb2b_place(b, m, true)), 0);
	EXPECT_EQ(parse_out(), 0);
	expect_std_cpus();
}

/* No ACPI at all: the boot core alone, and that is no error. */
SHIM_TEST(mb2_no_acpi_single_cpu)
{
	struct mb2b *b = mb2b_new();

	mb2b_mmap(b, std_map, ARRAY_SIZE(std_map));
	EXPECT_EQ(run_mb2(m, mb2b_place(b, m, true)), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.n_cpus, 1);
	EXPECT_EQ(bd.cpu_apic_id[0], BOOT_APIC);
}

/* ACPI without a MADT: the boot core alone. */
SHIM_TEST(mb2_no_madt_single_cpu)
{
	struct mb2b *b = mb2b_new();
	uint8_t rsdp[36];

	acpi_build(m, NULL, 0, rsdp);
	mb2b_mmap(b, std_map, ARRAY_SIZE(std_map));
	mb2b_acpi(b, 15, rsdp, 36);
	EXPECT_EQ(run_mb2(m, mb2b_place(b, m, true)), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.n_cpus, 1);
	EXPECT_EQ(bd.cpu_apic_id[0], BOOT_APIC);
}

/* No tag: the RSDP is found by scanning the BIOS area, past a decoy. */
SHIM_TEST(mb2_acpi_bios_scan)
{
	struct mb2b *b = mb2b_new();
	uint8_t rsdp[36];
	uint8_t *bios;

	acpi_build_std(m, rsdp);
	bios = fp_add(m, 0xe0000, 0x20000);
	memcpy(bios + 0x1000, "RSD PTR ", 8); /* bad checksum: not it */
	memcpy(bios + 0x15a40, rsdp, 36);
	mb2b_mmap(b, std_map, ARRAY_SIZE(std_map));
	EXPECT_EQ(run_mb2(m, mb2b_place(b, m, true)), 0);
	EXPECT_EQ(parse_out(), 0);
	expect_std_cpus();
}

SHIM_TEST(mb2_long_cmdline_truncated)
{
	char line[3000];
	size_t n;

	memset(line, 'a', 2000);
	n = 2000 + sprintf(line + 2000, " lwk.cpus=1,0x100");
	EXPECT_EQ(run_mb2(m, mb2_std(m, line)), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(strlen(bd.bootargs), LWK_BD_MAX_BOOTARGS - 1);
	EXPECT(!memcmp(bd.bootargs, line, LWK_BD_MAX_BOOTARGS - 1));
	/* lwk.cpus lies beyond the bootargs but is still honoured. */
	EXPECT(n > LWK_BD_MAX_BOOTARGS);
	EXPECT_EQ(bd.n_cpus, 2);
	EXPECT_EQ(bd.cpu_apic_id[1], 0x100);
}

SHIM_TEST(mb2_cmdline_too_long)
{
	static char line[5000];

	memset(line, 'x', sizeof(line) - 1);
	EXPECT_FAIL(run_mb2(m, mb2_std(m, line)), -EINVAL,
		    "multiboot2: the command line is 4999 bytes");
}

/* A reserved entry inside an available one wins. */
SHIM_TEST(mb2_reserved_overlap_cut)
{
	struct mb2b *b = mb2b_new();
	static const struct ment map[] = {
		{ 0x0, 0xa0000, 1 },
		{ 0x100000, 0x10000000, 1 },
		{ 0x8000, 0x1000, 2 },
		{ 0x1000000, 0x1000000, 2 },
	};

	mb2b_mmap(b, map, ARRAY_SIZE(map));
	EXPECT_EQ(run_mb2(m, mb2b_place(b, m, true)), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.n_memory, 2);
	EXPECT_EQ(bd.memory[0].base, 0x100000);
	EXPECT_EQ(bd.memory[0].size, 0xf00000);
	EXPECT_EQ(bd.memory[1].base, 0x2000000);
	EXPECT_EQ(bd.memory[1].size, 0xe100000);
	/* 0x8000 is reserved: the lowest free page is taken. */
	EXPECT_EQ(bd.trampoline.base, 0x1000);
}

/* Entries in any order: sorted, and merged where they touch. */
SHIM_TEST(mb2_memory_map_unsorted)
{
	struct mb2b *b = mb2b_new();
	static const struct ment map[] = {
		{ 0x40000000, 0x1000000, 1 }, { 0x300000, 0x100000, 1 }, { 0x200000, 0x100000, 1 },
		{ 0x0, 0x9f000, 1 },	      { 0x100000, 0x80000, 1 },
	};

	mb2b_mmap(b, map, ARRAY_SIZE(map));
	EXPECT_EQ(run_mb2(m, mb2b_place(b, m, true)), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.n_memory, 3);
	EXPECT_EQ(bd.memory[0].base, 0x100000);
	EXPECT_EQ(bd.memory[0].size, 0x80000);
	EXPECT_EQ(bd.memory[1].base, 0x200000);
	EXPECT_EQ(bd.memory[1].size, 0x200000);
	EXPECT_EQ(bd.memory[2].base, 0x40000000);
	EXPECT_EQ(bd.memory[2].size, 0x1000000);
}

SHIM_TEST(mb2_trampoline_lowest_usable)
{
	struct mb2b *b = mb2b_new();
	static const struct ment map[] = {
		{ 0x9100, 0x20000, 1 }, /* first whole page: 0xa000 */
		{ 0x100000, 0x10000000, 1 },
	};

	mb2b_mmap(b, map, ARRAY_SIZE(map));
	EXPECT_EQ(run_mb2(m, mb2b_place(b, m, true)), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.trampoline.base, 0xa000);
}

/* A module over 0x8000 pushes the trampoline elsewhere. */
SHIM_TEST(mb2_trampoline_avoids_module)
{
	struct mb2b *b = mb2b_new();
	static const struct ment map[] = {
		{ 0x1000, 0x9e000, 1 },
		{ 0x100000, 0x10000000, 1 },
	};

	mb2b_module(b, 0x1000, 0x8800, "early");
	mb2b_mmap(b, map, ARRAY_SIZE(map));
	EXPECT_EQ(run_mb2(m, mb2b_place(b, m, true)), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.trampoline.base, 0x9000);
	EXPECT_EQ(bd.reserved[0].base, 0x1000);
	EXPECT_EQ(bd.reserved[0].size, 0x8000);
}

SHIM_TEST(mb2_no_low_page)
{
	struct mb2b *b = mb2b_new();
	static const struct ment map[] = {
		{ 0x0, 0x1000, 1 }, /* page 0 is never the trampoline */
		{ 0x9f800, 0x800, 1 },
		{ 0x100000, 0x10000000, 1 },
	};

	mb2b_mmap(b, map, ARRAY_SIZE(map));
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
		    "multiboot2: no usable page below 640 KiB for the AP trampoline");
}

SHIM_TEST(mb2_fdt_too_small)
{
	struct shim_env env = test_env(m);
	uint64_t pa = mb2_std(m, "console=ttyS0");

	EXPECT_FAIL(shim_from_multiboot2(&env, pa, out, 256, err, sizeof(err)), -ENOSPC,
		    "boot description: does not fit in 256 bytes");
}

SHIM_TEST(mb2_tsc_unknown)
{
	struct shim_env env = test_env(m);
	uint64_t pa = mb2_std(m, "");

	env.tsc_hz = 0;
	EXPECT_FAIL(shim_from_multiboot2(&env, pa, out, sizeof(out), err, sizeof(err)), -EINVAL,
		    "TSC frequency is unknown");
}

/* ---- multiboot2: broken boot information ------------------------------------- */

SHIM_TEST(mb2_unreachable)
{
	EXPECT_FAIL(run_mb2(m, MBI_PA), -EINVAL,
		    "multiboot2: the boot information at 0x10000 is not reachable");
}

SHIM_TEST(mb2_total_size_huge)
{
	struct mb2b *b = mb2b_new();
	uint64_t pa = mb2b_place(b, m, true);

	wr32(fp_ptr(m, pa), 0x200000);
	EXPECT_FAIL(run_mb2(m, pa), -EINVAL,
		    "multiboot2: total_size 0x200000 at 0x10000 is not sane");
}

SHIM_TEST(mb2_total_size_tiny)
{
	struct mb2b *b = mb2b_new();
	uint64_t pa = mb2b_place(b, m, true);

	wr32(fp_ptr(m, pa), 8);
	EXPECT_FAIL(run_mb2(m, pa), -EINVAL, "total_size 0x8 at 0x10000");
}

/* total_size is sane but larger than what is mapped. */
SHIM_TEST(mb2_total_size_past_memory)
{
	struct mb2b *b = mb2b_new();
	uint64_t pa = mb2b_place(b, m, true);

	wr32(fp_ptr(m, pa), 0x1000);
	EXPECT_FAIL(run_mb2(m, pa), -EINVAL,
		    "the boot information at 0x10000 (0x1000 bytes) is not reachable");
}

SHIM_TEST(mb2_tag_past_end)
{
	struct mb2b *b = mb2b_new();
	uint8_t *t;

	mb2b_cmdline(b, "x");
	t = mb2b_tag(b, 6, 16);
	wr32(t + 8, 24);
	wr32(t + 4, 0x1000); /* the memory map tag claims 4 KiB */
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
		    "multiboot2: the tag at offset 0x18 (type 6) runs past the end (size 0x1000, "
		    "total_size 0x30)");
}

SHIM_TEST(mb2_tag_size_small)
{
	struct mb2b *b = mb2b_new();

	mb2b_cmdline(b, "x");
	wr32(mb2b_tag(b, 1, 8) + 4, 4);
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
		    "multiboot2: the tag at offset 0x18 (type 1) has size 4, less than 8");
}

SHIM_TEST(mb2_missing_end_tag)
{
	struct mb2b *b = mb2b_new();

	mb2b_cmdline(b, "console=ttyS0");
	mb2b_mmap(b, std_map, ARRAY_SIZE(std_map));
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, false)), -EINVAL, "multiboot2: no end tag");
}

/* The last tag's padding would run past total_size. */
SHIM_TEST(mb2_missing_end_tag_unaligned)
{
	struct mb2b *b = mb2b_new();

	mb2b_cmdline(b, "abc");
	b->len -= 4; /* total_size ends inside the padding */
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, false)), -EINVAL,
		    "multiboot2: no end tag (the tags run to offset 0x18 of total_size 0x14)");
}

SHIM_TEST(mb2_cmdline_unterminated)
{
	struct mb2b *b = mb2b_new();

	memcpy(mb2b_tag(b, 1, 12) + 8, "abcd", 4);
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
		    "multiboot2: the command line tag at offset 0x8 is not NUL-terminated");
}

SHIM_TEST(mb2_no_memory_map)
{
	struct mb2b *b = mb2b_new();

	mb2b_cmdline(b, "console=ttyS0");
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
		    "multiboot2: the boot loader passed no memory map");
}

SHIM_TEST(mb2_empty_memory_map)
{
	struct mb2b *b = mb2b_new();

	mb2b_mmap(b, NULL, 0);
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
		    "multiboot2: the memory map has no usable RAM above 1 MiB");
}

SHIM_TEST(mb2_memory_map_without_ram)
{
	struct mb2b *b = mb2b_new();
	static const struct ment map[] = {
		{ 0x0, 0x9fc00, 1 }, /* only low memory is usable */
		{ 0x100000, 0x10000000, 2 },
		{ 0x20000000, 0x10000000, 3 },
		{ 0x30000000, 0xfff, 1 }, /* less than one page */
	};

	mb2b_mmap(b, map, ARRAY_SIZE(map));
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
		    "multiboot2: the memory map has no usable RAM above 1 MiB");
}

SHIM_TEST(mb2_memory_map_bad_entry_size)
{
	struct mb2b *b = mb2b_new();
	uint8_t *t = mb2b_tag(b, 6, 16 + 40);

	wr32(t + 8, 20);
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
		    "multiboot2: the memory map tag at offset 0x8 has entry_size 20");
}

SHIM_TEST(mb2_memory_map_wraps)
{
	struct mb2b *b = mb2b_new();
	static const struct ment map[] = {
		{ 0xfffffffffffff000, 0x2000, 1 },
	};

	mb2b_mmap(b, map, ARRAY_SIZE(map));
	EXPECT_FAIL(
	    run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
	    "multiboot2: memory map entry at 0xfffffffffffff000 (size 0x2000) runs past the end");
}

SHIM_TEST(mb2_memory_map_too_fragmented)
{
	struct mb2b *b = mb2b_new();
	static struct ment map[LWK_BD_MAX_RANGES + 2];

	map[0] = (struct ment){ 0x0, 0x9f000, 1 };
	for (unsigned int i = 1; i < ARRAY_SIZE(map); i++)
		map[i] = (struct ment){ 0x100000ull * 2 * i, 0x100000, 1 };
	mb2b_mmap(b, map, ARRAY_SIZE(map));
	EXPECT_FAIL(
	    run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
	    "multiboot2: the memory map has more than 64 separate usable ranges above 1 MiB");
}

SHIM_TEST(mb2_module_backwards)
{
	struct mb2b *b = mb2b_new();

	mb2b_module(b, 0x5000, 0x4000, "x");
	mb2b_mmap(b, std_map, ARRAY_SIZE(std_map));
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
		    "multiboot2: the module at offset 0x8 ends before it starts (mod_start 0x5000, "
		    "mod_end 0x4000)");
}

SHIM_TEST(mb2_acpi_tag_short)
{
	struct mb2b *b = mb2b_new();
	uint8_t rsdp[36] = { 0 };

	mb2b_acpi(b, 15, rsdp, 20);
	mb2b_mmap(b, std_map, ARRAY_SIZE(std_map));
	EXPECT_FAIL(
	    run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
	    "multiboot2: the ACPI tag at offset 0x8 (type 15) is too short for an RSDP (size 28)");
}

/* ---- ACPI: tables that fail their checks --------------------------------------- */

static uint64_t mb2_with_rsdp(struct fake_phys *m, const uint8_t *rsdp)
{
	struct mb2b *b = mb2b_new();

	mb2b_mmap(b, std_map, ARRAY_SIZE(std_map));
	mb2b_acpi(b, 15, rsdp, 36);
	return mb2b_place(b, m, true);
}

SHIM_TEST(acpi_bad_rsdp_checksum)
{
	uint8_t rsdp[36];

	acpi_build_std(m, rsdp);
	rsdp[8] ^= 1;
	EXPECT_FAIL(run_mb2(m, mb2_with_rsdp(m, rsdp)), -EINVAL,
		    "acpi: RSDP checksum mismatch (RSDP from the boot loader)");
}

SHIM_TEST(acpi_bad_rsdp_extended_checksum)
{
	uint8_t rsdp[36];

	acpi_build_std(m, rsdp);
	rsdp[32] ^= 1;
	EXPECT_FAIL(run_mb2(m, mb2_with_rsdp(m, rsdp)), -EINVAL,
		    "acpi: RSDP extended checksum mismatch");
}

SHIM_TEST(acpi_bad_rsdp_signature)
{
	uint8_t rsdp[36];

	acpi_build_std(m, rsdp);
	memcpy(rsdp, "RSD PTR!", 8);
	EXPECT_FAIL(run_mb2(m, mb2_with_rsdp(m, rsdp)), -EINVAL,
		    "acpi: the RSDP from the boot loader has no 'RSD PTR ' signature");
}

SHIM_TEST(acpi_bad_xsdt_checksum)
{
	uint8_t rsdp[36];

	acpi_build_std(m, rsdp);
	fp_ptr(m, XSDT_PA)[9] ^= 1;
	EXPECT_FAIL(run_mb2(m, mb2_with_rsdp(m, rsdp)), -EINVAL,
		    "acpi: XSDT checksum mismatch (table at 0x7ffe0040)");
}

SHIM_TEST(acpi_xsdt_wrong_signature)
{
	uint8_t rsdp[36];

	acpi_build_std(m, rsdp);
	memcpy(fp_ptr(m, XSDT_PA), "XS\001T", 4);
	EXPECT_FAIL(run_mb2(m, mb2_with_rsdp(m, rsdp)), -EINVAL,
		    "acpi: the table at 0x7ffe0040 is not the XSDT (signature 'XS?T')");
}

SHIM_TEST(acpi_xsdt_unreachable)
{
	uint8_t rsdp[36];

	acpi_build_std(m, rsdp);
	rsdp_fill(rsdp, 2, RSDT_PA, 0x900000000);
	EXPECT_FAIL(run_mb2(m, mb2_with_rsdp(m, rsdp)), -EINVAL,
		    "acpi: the XSDT at 0x900000000 is not reachable");
}

SHIM_TEST(acpi_bad_madt_checksum)
{
	uint8_t rsdp[36];

	acpi_build_std(m, rsdp);
	fp_ptr(m, MADT_PA)[9] ^= 1;
	EXPECT_FAIL(run_mb2(m, mb2_with_rsdp(m, rsdp)), -EINVAL, "acpi: MADT checksum mismatch");
}

SHIM_TEST(acpi_madt_bad_length)
{
	uint8_t rsdp[36];

	acpi_build_std(m, rsdp);
	wr32(fp_ptr(m, MADT_PA) + 4, 40);
	madt_refresh(m);
	EXPECT_FAIL(run_mb2(m, mb2_with_rsdp(m, rsdp)), -EINVAL,
		    "acpi: the MADT at 0x7ffe0400 has a bad length 40");
}

SHIM_TEST(acpi_madt_entry_zero_length)
{
	uint8_t rsdp[36];

	acpi_build_std(m, rsdp);
	fp_ptr(m, MADT_PA + 44 + 8)[1] = 0;
	madt_refresh(m);
	EXPECT_FAIL(run_mb2(m, mb2_with_rsdp(m, rsdp)), -EINVAL,
		    "acpi: MADT entry at offset 0x34 (type 0) has a bad length 0");
}

SHIM_TEST(acpi_madt_entry_past_end)
{
	uint8_t rsdp[36], e[64];
	size_t n = madt_lapic(e, 0, 0, 1);

	n += madt_x2apic(e + n, 7, 1);
	e[n - 16 + 1] = 24; /* the last entry claims more than is left */
	acpi_build(m, e, n, rsdp);
	EXPECT_FAIL(run_mb2(m, mb2_with_rsdp(m, rsdp)), -EINVAL,
		    "acpi: MADT entry at offset 0x34 (type 9) has a bad length 24");
}

SHIM_TEST(acpi_madt_entry_too_short)
{
	uint8_t rsdp[36], e[64];
	size_t n = madt_lapic(e, 0, 0, 1);

	e[1] = 6;
	n = 6;
	acpi_build(m, e, n, rsdp);
	EXPECT_FAIL(run_mb2(m, mb2_with_rsdp(m, rsdp)), -EINVAL,
		    "acpi: MADT entry at offset 0x2c (type 0) is too short (length 6)");
}

SHIM_TEST(acpi_madt_entry_cut_off)
{
	uint8_t rsdp[36], e[64];
	size_t n = madt_lapic(e, 0, 0, 1);

	e[n++] = 0; /* one lone byte at the end of the table */
	acpi_build(m, e, n, rsdp);
	EXPECT_FAIL(run_mb2(m, mb2_with_rsdp(m, rsdp)), -EINVAL,
		    "acpi: MADT entry at offset 0x34 is cut off by the end of the table");
}

/* A bad pointer to a table that is not the MADT is skipped. */
SHIM_TEST(acpi_unreachable_other_table)
{
	uint8_t rsdp[36];
	uint8_t *xsdt;

	acpi_build_std(m, rsdp);
	xsdt = fp_ptr(m, XSDT_PA);
	wr64(xsdt + 36, 0x123456789000);
	acpi_checksum(xsdt, 52, 9);
	EXPECT_EQ(run_mb2(m, mb2_with_rsdp(m, rsdp)), 0);
	EXPECT_EQ(parse_out(), 0);
	expect_std_cpus();
}

/* Bad firmware tables do not matter when lwk.cpus names the cores. */
SHIM_TEST(acpi_skipped_with_override)
{
	struct mb2b *b = mb2b_new();
	uint8_t rsdp[36];

	acpi_build_std(m, rsdp);
	fp_ptr(m, MADT_PA)[9] ^= 1;
	mb2b_cmdline(b, "lwk.cpus=1,2");
	mb2b_mmap(b, std_map, ARRAY_SIZE(std_map));
	mb2b_acpi(b, 15, rsdp, 36);
	EXPECT_EQ(run_mb2(m, mb2b_place(b, m, true)), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.n_cpus, 2);
}

/* ---- lwk.cpus ------------------------------------------------------------------- */

SHIM_TEST(cpus_override)
{
	const char *line = "quiet lwk.cpus=7 console=ttyS0 lwk.cpus=1,0x2,42,0XfF";

	EXPECT_EQ(run_mb2(m, mb2_std(m, line)), 0);
	EXPECT_EQ(parse_out(), 0);
	/* The last lwk.cpus wins; IDs the MADT lacks (42) are allowed. */
	EXPECT_EQ(bd.n_cpus, 4);
	EXPECT_EQ(bd.cpu_apic_id[0], 1);
	EXPECT_EQ(bd.cpu_apic_id[1], 2);
	EXPECT_EQ(bd.cpu_apic_id[2], 42);
	EXPECT_EQ(bd.cpu_apic_id[3], 0xff);
	EXPECT(!strcmp(bd.bootargs, line));
}

SHIM_TEST(cpus_override_boot_core_only)
{
	EXPECT_EQ(run_mb2(m, mb2_std(m, "lwk.cpus=1")), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.n_cpus, 1);
	EXPECT_EQ(bd.cpu_apic_id[0], 1);
}

/* A key that merely starts like lwk.cpus is another key. */
SHIM_TEST(cpus_similar_key_ignored)
{
	EXPECT_EQ(run_mb2(m, mb2_std(m, "xlwk.cpus=9 lwk.cpusx=9")), 0);
	EXPECT_EQ(parse_out(), 0);
	expect_std_cpus();
}

SHIM_TEST(cpus_override_wrong_first)
{
	EXPECT_FAIL(run_mb2(m, mb2_std(m, "lwk.cpus=0,1")), -EINVAL,
		    "lwk.cpus: the first ID must be the boot core's APIC ID 1 (0x1), not 0 (0x0)");
}

SHIM_TEST(cpus_override_duplicate)
{
	EXPECT_FAIL(run_mb2(m, mb2_std(m, "lwk.cpus=1,3,0x3")), -EINVAL,
		    "lwk.cpus: APIC ID 3 (0x3) is listed twice");
}

HTEST(shim, cpus_override_junk)
{
	static const char *const bad[] = {
		"lwk.cpus=1,abc", "lwk.cpus=1,",   "lwk.cpus=",	      "lwk.cpus=1,,2",
		"lwk.cpus=1,-2",  "lwk.cpus=1,0x", "lwk.cpus=1,0x1g", "lwk.cpus=1,4294967296",
		"lwk.cpus=1;2",	  "lwk.cpus=+1",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct fake_phys m = { 0 };

		EXPECT_FAIL(run_mb2(&m, mb2_std(&m, bad[i])), -EINVAL, "is not an APIC ID");
		EXPECT(!strncmp(err, "lwk.cpus: '", 11));
		fp_free(&m);
	}
}

SHIM_TEST(cpus_override_too_many)
{
	static char line[4000];
	int n = sprintf(line, "lwk.cpus=1");

	for (int i = 2; i <= LWK_BD_MAX_CPUS + 1; i++)
		n += sprintf(line + n, ",%d", i);
	EXPECT_FAIL(run_mb2(m, mb2_std(m, line)), -EINVAL, "lwk.cpus: more than 256 APIC IDs");
}

SHIM_TEST(cpus_override_max)
{
	static char line[4000];
	int n = sprintf(line, "lwk.cpus=1");

	for (int i = 2; i <= LWK_BD_MAX_CPUS; i++)
		n += sprintf(line + n, ",0x%x", i);
	EXPECT_EQ(run_mb2(m, mb2_std(m, line)), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.n_cpus, LWK_BD_MAX_CPUS);
	EXPECT_EQ(bd.cpu_apic_id[LWK_BD_MAX_CPUS - 1], LWK_BD_MAX_CPUS);
}

/* ---- a ready-made boot description as a module -------------------------------- */

#define BD_MOD_PA 0x5000000u

/* Make a valid FDT with the shim, then hand it back as a module. */
static uint32_t bd_module(struct fake_phys *m, uint32_t size)
{
	struct fake_phys tmp = { 0 };
	uint32_t total;

	EXPECT_EQ(run_mb2(&tmp, mb2_std(&tmp, "made=elsewhere lwk.cpus=1,9")), 0);
	fp_free(&tmp);
	total = fdt_totalsize(out);
	memcpy(fp_add(m, BD_MOD_PA, size ? size : total), out, MIN(total, size ? size : total));
	return size ? size : total;
}

SHIM_TEST(bootdesc_module)
{
	uint32_t size = bd_module(m, 0);
	struct mb2b *b = mb2b_new(); /* after bd_module(), which uses it */

	/* No memory map: a ready-made description does not need one. */
	mb2b_cmdline(b, "ignored");
	mb2b_module(b, BD_MOD_PA, BD_MOD_PA + size, "bootdesc");
	EXPECT_EQ(run_mb2(m, mb2b_place(b, m, true)), 0);
	EXPECT(!memcmp(out, fp_ptr(m, BD_MOD_PA), size));
	EXPECT_EQ(parse_out(), 0);
	EXPECT(!strcmp(bd.bootargs, "made=elsewhere lwk.cpus=1,9"));
	EXPECT_EQ(bd.n_cpus, 2);
	EXPECT_EQ(bd.cpu_apic_id[1], 9);
}

SHIM_TEST(bootdesc_module_garbage)
{
	struct mb2b *b = mb2b_new();
	uint8_t *p = fp_add(m, BD_MOD_PA, 4096);

	for (int i = 0; i < 4096; i++)
		p[i] = (uint8_t)(i * 131 + 7);
	mb2b_module(b, BD_MOD_PA, BD_MOD_PA + 4096, "bootdesc");
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
		    "boot description: the 'bootdesc' module is not an FDT (magic 0x078a0d90, "
		    "expected 0xd00dfeed)");
}

SHIM_TEST(bootdesc_module_header_too_big)
{
	uint32_t size = bd_module(m, 0);
	struct mb2b *b;

	fp_free(m);
	size = bd_module(m, size - 8);
	b = mb2b_new();
	mb2b_module(b, BD_MOD_PA, BD_MOD_PA + size, "bootdesc");
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
		    "boot description: the 'bootdesc' module's header says");
}

SHIM_TEST(bootdesc_module_too_big)
{
	struct shim_env env = test_env(m);
	uint32_t size = bd_module(m, 0);
	struct mb2b *b = mb2b_new();
	uint64_t pa;

	mb2b_module(b, BD_MOD_PA, BD_MOD_PA + size, "bootdesc");
	pa = mb2b_place(b, m, true);
	EXPECT_FAIL(shim_from_multiboot2(&env, pa, out, size - 1, err, sizeof(err)), -EINVAL,
		    "boot description: the 'bootdesc' module is");
	EXPECT_STR_CONTAINS(err, "fit");
}

SHIM_TEST(bootdesc_module_tiny_and_twice)
{
	struct mb2b *b = mb2b_new();

	fp_add(m, BD_MOD_PA, 16);
	mb2b_module(b, BD_MOD_PA, BD_MOD_PA + 16, "bootdesc");
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
		    "the 'bootdesc' module is 16 bytes, too small for an FDT header");
	fp_free(m);
	b = mb2b_new();
	mb2b_module(b, BD_MOD_PA, BD_MOD_PA + 16, "bootdesc");
	mb2b_module(b, BD_MOD_PA, BD_MOD_PA + 16, "bootdesc");
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
		    "multiboot2: a second module named 'bootdesc'");
}

SHIM_TEST(bootdesc_module_unreachable)
{
	struct mb2b *b = mb2b_new();

	mb2b_module(b, BD_MOD_PA, BD_MOD_PA + 4096, "bootdesc");
	EXPECT_FAIL(run_mb2(m, mb2b_place(b, m, true)), -EINVAL,
		    "the 'bootdesc' module at 0x5000000 is not reachable");
}

/* ---- PVH ---------------------------------------------------------------------- */

#define PVH_MEMMAP (PVH_PA + 0x100)
#define PVH_CMDLINE (PVH_PA + 0x400)
#define PVH_MODLIST (PVH_PA + 0x800)
#define PVH_MODNAMES (PVH_PA + 0xa00)
#define PVH_SIZE 0x1000

struct pvh_mod {
	uint64_t pa;
	uint64_t size;
	const char *name;
};

struct pvh_cfg {
	const char *cmdline;
	const struct ment *map;
	unsigned int n_map;
	const struct pvh_mod *mods;
	unsigned int n_mods;
	uint64_t rsdp_pa;
};

/* Start info, memory map, command line and module list in one page. */
static uint64_t pvh_build(struct fake_phys *m, const struct pvh_cfg *c)
{
	uint8_t *p = fp_add(m, PVH_PA, PVH_SIZE);
	uint8_t *names = p + (PVH_MODNAMES - PVH_PA);

	wr32(p, 0x336ec578);
	wr32(p + 4, 1);
	wr32(p + 12, c->n_mods);
	wr64(p + 16, PVH_MODLIST);
	wr64(p + 24, c->cmdline ? PVH_CMDLINE : 0);
	wr64(p + 32, c->rsdp_pa);
	wr64(p + 40, PVH_MEMMAP);
	wr32(p + 48, c->n_map);
	if (c->cmdline)
		strcpy((char *)p + (PVH_CMDLINE - PVH_PA), c->cmdline);
	for (unsigned int i = 0; i < c->n_map; i++) {
		uint8_t *e = p + (PVH_MEMMAP - PVH_PA) + 24 * i;

		wr64(e, c->map[i].base);
		wr64(e + 8, c->map[i].len);
		wr32(e + 16, c->map[i].type);
	}
	for (unsigned int i = 0; i < c->n_mods; i++) {
		uint8_t *e = p + (PVH_MODLIST - PVH_PA) + 32 * i;

		wr64(e, c->mods[i].pa);
		wr64(e + 8, c->mods[i].size);
		if (c->mods[i].name) {
			wr64(e + 16, PVH_PA + (names - p));
			strcpy((char *)names, c->mods[i].name);
			names += strlen(c->mods[i].name) + 1;
		}
	}
	return PVH_PA;
}

static const struct pvh_mod std_mods[] = {
	{ MOD1_START, MOD1_END - MOD1_START, NULL },
	{ MOD2_START, MOD2_END - MOD2_START, "app --verbose" },
};

static struct pvh_cfg pvh_std(struct fake_phys *m, const char *cmdline)
{
	uint8_t rsdp[36];

	acpi_build_std(m, rsdp);
	return (struct pvh_cfg){
		cmdline, std_map, ARRAY_SIZE(std_map), std_mods, ARRAY_SIZE(std_mods), RSDP_PA
	};
}

static int run_pvh(struct fake_phys *m, uint64_t pa)
{
	struct shim_env env = test_env(m);

	memset(out, 0, sizeof(out));
	return shim_from_pvh(&env, pa, out, sizeof(out), err, sizeof(err));
}

SHIM_TEST(pvh_full)
{
	struct pvh_cfg c = pvh_std(m, "console=ttyS0 lwk.log=debug");

	EXPECT_EQ(run_pvh(m, pvh_build(m, &c)), 0);
	EXPECT_EQ(err[0], '\0');
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.tsc_hz, TSC_HZ);
	EXPECT_EQ(bd.wallclock_offset_ns, 0);
	expect_std_memory();
	expect_std_reserved();
	EXPECT_EQ(bd.trampoline.base, 0x8000);
	EXPECT_EQ(bd.trampoline.size, SHIM_TRAMPOLINE_SIZE);
	EXPECT(!strcmp(bd.bootargs, "console=ttyS0 lwk.log=debug"));
	expect_std_cpus();
}

/* No command line, no modules, no RSDP address and nothing in the BIOS
 * area: an empty bootargs and the boot core alone. */
SHIM_TEST(pvh_minimal)
{
	struct pvh_cfg c = { NULL, std_map, ARRAY_SIZE(std_map), NULL, 0, 0 };

	EXPECT_EQ(run_pvh(m, pvh_build(m, &c)), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT(!strcmp(bd.bootargs, ""));
	EXPECT_EQ(bd.n_cpus, 1);
	EXPECT_EQ(bd.n_reserved, 1);
}

SHIM_TEST(pvh_bad_magic)
{
	struct pvh_cfg c = pvh_std(m, "");
	uint64_t pa = pvh_build(m, &c);

	wr32(fp_ptr(m, pa), 0x2badb002);
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL,
		    "pvh: bad magic 0x2badb002 in the start info at 0x6000 (expected 0x336ec578)");
}

SHIM_TEST(pvh_unreachable)
{
	EXPECT_FAIL(run_pvh(m, 0x123000), -EINVAL,
		    "pvh: the start info at 0x123000 is not reachable");
}

SHIM_TEST(pvh_version_0)
{
	struct pvh_cfg c = pvh_std(m, "");
	uint64_t pa = pvh_build(m, &c);

	wr32(fp_ptr(m, pa) + 4, 0);
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL, "pvh: start info version 0 carries no memory map");
}

SHIM_TEST(pvh_memmap_bad)
{
	struct pvh_cfg c = pvh_std(m, "");
	uint64_t pa = pvh_build(m, &c);
	uint8_t *p = fp_ptr(m, pa);

	wr32(p + 48, 5000);
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL,
		    "pvh: the memory map has 5000 entries (more than 4096)");
	wr32(p + 48, 400); /* 9600 bytes: past the fake page */
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL,
		    "pvh: the memory map at 0x6100 (400 entries) is not reachable");
	wr64(p + 40, 0);
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL, "pvh: the boot loader passed no memory map");
	wr64(p + 40, PVH_MEMMAP);
	wr32(p + 48, 0);
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL, "pvh: the memory map has no usable RAM above 1 MiB");
}

SHIM_TEST(pvh_cmdline_bad)
{
	struct pvh_cfg c = pvh_std(m, "x");
	uint64_t pa = pvh_build(m, &c);
	uint8_t *p = fp_ptr(m, pa);

	/* Fill the rest of the page: no NUL before the unmapped end. */
	memset(p + (PVH_CMDLINE - PVH_PA), 'a', PVH_SIZE - (PVH_CMDLINE - PVH_PA));
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL, "pvh: the command line at 0x6400 is not reachable");
	wr64(p + 24, 0xdead0000);
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL,
		    "pvh: the command line at 0xdead0000 is not reachable");
}

SHIM_TEST(pvh_cmdline_too_long)
{
	struct pvh_cfg c = pvh_std(m, "");
	uint64_t pa = pvh_build(m, &c);
	uint8_t *big = fp_add(m, 0x900000, 0x3000);

	memset(big, 'b', 0x3000);
	wr64(fp_ptr(m, pa) + 24, 0x900000);
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL,
		    "pvh: the command line at 0x900000 has no NUL within 4096 bytes");
}

/* A command line that crosses a page boundary is read in pieces. */
SHIM_TEST(pvh_cmdline_across_pages)
{
	struct pvh_cfg c = pvh_std(m, "");
	uint64_t pa = pvh_build(m, &c);
	uint8_t *s = fp_add(m, 0x900ff0, 0x1010); /* to the next page's end */

	strcpy((char *)s, "lwk.cpus=1,0x100 end");
	wr64(fp_ptr(m, pa) + 24, 0x900ff0);
	EXPECT_EQ(run_pvh(m, pa), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT(!strcmp(bd.bootargs, "lwk.cpus=1,0x100 end"));
	EXPECT_EQ(bd.n_cpus, 2);
}

SHIM_TEST(pvh_modules_bad)
{
	struct pvh_cfg c = pvh_std(m, "");
	uint64_t pa = pvh_build(m, &c);
	uint8_t *p = fp_ptr(m, pa);

	wr32(p + 12, 100);
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL, "pvh: 100 modules (more than 64)");
	wr32(p + 12, 2);
	wr64(p + 16, 0x880000);
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL, "pvh: module entry 0 at 0x880000 is not reachable");
	wr64(p + 16, PVH_MODLIST);
	wr64(p + (PVH_MODLIST - PVH_PA) + 32 + 8, 0xfffffffffffffff0);
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL,
		    "pvh: module 1 (0x4000000, size 0xfffffffffffffff0) runs past the end");
	wr64(p + (PVH_MODLIST - PVH_PA) + 32 + 8, 0x1000);
	wr64(p + (PVH_MODLIST - PVH_PA) + 32 + 16, 0x777000);
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL,
		    "pvh: the command line of module 1 at 0x777000 is not reachable");
}

SHIM_TEST(pvh_bootdesc_module)
{
	uint32_t size = bd_module(m, 0);
	struct pvh_mod mods[] = {
		{ 0x6000000, 0x1000, "bootdescx" },
		{ BD_MOD_PA, size, "bootdesc" },
	};
	struct pvh_cfg c = { "ignored", NULL, 0, mods, 2, 0 };

	EXPECT_EQ(run_pvh(m, pvh_build(m, &c)), 0);
	EXPECT(!memcmp(out, fp_ptr(m, BD_MOD_PA), size));
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.cpu_apic_id[1], 9);
}

SHIM_TEST(pvh_rsdp_bad)
{
	struct pvh_cfg c = pvh_std(m, "");
	uint64_t pa = pvh_build(m, &c);

	fp_ptr(m, RSDP_PA)[0] = 'X';
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL,
		    "acpi: the RSDP from the boot loader has no 'RSD PTR ' signature");
	wr64(fp_ptr(m, pa) + 32, 0x5550000);
	EXPECT_FAIL(run_pvh(m, pa), -EINVAL, "acpi: the RSDP at 0x5550000 is not reachable");
}

/* Mangled start infos must never crash the shim (ASan watches). */
HTEST(shim, pvh_fuzz)
{
	uint32_t seed = 12345;
	int ok = 0, failed = 0;

	for (int round = 0; round < 3000; round++) {
		struct fake_phys m = { 0 };
		struct pvh_cfg c = pvh_std(&m, "lwk.cpus=1,2");
		uint64_t pa = pvh_build(&m, &c);
		uint8_t *p = fp_ptr(&m, pa);
		int ret;

		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245 + 12345;
			p[(seed >> 8) % 0x400] ^= 1 << ((seed >> 4) & 7);
		}
		ret = run_pvh(&m, pa);
		if (ret) {
			EXPECT(ret == -EINVAL);
			EXPECT(err[0] != '\0' && !strchr(err, '\n'));
			failed++;
		} else {
			EXPECT_EQ(parse_out(), 0);
			ok++;
		}
		fp_free(&m);
	}
	EXPECT(ok > 0 && failed > 0);
}

HTEST(shim, mb2_fuzz)
{
	uint32_t seed = 777;
	int ok = 0, failed = 0;

	for (int round = 0; round < 3000; round++) {
		struct fake_phys m = { 0 };
		uint64_t pa = mb2_std(&m, "console=ttyS0");
		uint8_t *p = fp_ptr(&m, pa);
		uint32_t total = *(uint32_t *)p;
		int ret;

		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245 + 12345;
			p[(seed >> 8) % total] ^= 1 << ((seed >> 4) & 7);
		}
		ret = run_mb2(&m, pa);
		if (ret) {
			EXPECT(ret == -EINVAL);
			EXPECT(err[0] != '\0' && !strchr(err, '\n'));
			failed++;
		} else {
			EXPECT_EQ(parse_out(), 0);
			ok++;
		}
		fp_free(&m);
	}
	EXPECT(ok > 0 && failed > 0);
}

/* ---- a bare run's program (uapi/lwk/bare.h) ------------------------------------ */

/*
 * The bundle lwkctl bare hands QEMU as the one PVH module: header, strings,
 * the image on the next page, its interpreter on the page after. The
 * module's fake memory is exactly as large as the module, so a read past
 * its end trips ASan.
 */
#define PROG_PA 0x6000000ull
#define PROG_SIZE 0x2800ull
#define PROG_IMAGE 0x1000ull
#define PROG_INTERP 0x2000ull
#define PROG_ARGV "/bin/app\0-v"
#define PROG_ENVP "HOME=/\0PATH=/bin"
#define PROG_BAD_LAYOUT "program module: its header does not describe its contents"

static const char prog_strings[] = PROG_ARGV "\0" PROG_ENVP;

static struct lwk_bare_bundle prog_bundle(void)
{
	return (struct lwk_bare_bundle){
		.magic = LWK_BARE_MAGIC,
		.abi_version = LWK_ABI_VERSION,
		.total_size = PROG_SIZE,
		.strings_offset = sizeof(struct lwk_bare_bundle),
		.strings_size = sizeof(prog_strings),
		.image_offset = PROG_IMAGE,
		.image_size = 0x1000,
		.argc = 2,
		.envc = 2,
		.mem_bytes = 0x40000000,
		.cpus = 3,
		.interp_offset = PROG_INTERP,
		.interp_size = 0x800,
	};
}

/* Put @b and the strings at the start of @size bytes of fake memory. */
static uint8_t *prog_place(struct fake_phys *m, const struct lwk_bare_bundle *b, uint64_t size)
{
	uint8_t head[sizeof(*b) + sizeof(prog_strings)];
	uint8_t *p = fp_add(m, PROG_PA, size);

	memcpy(head, b, sizeof(*b));
	memcpy(head + sizeof(*b), prog_strings, sizeof(prog_strings));
	memcpy(p, head, MIN(size, sizeof(head)));
	return p;
}

/* Boot by PVH with one module of @size bytes at PROG_PA, as lwkctl bare does. */
static int prog_run(struct fake_phys *m, uint64_t size)
{
	struct pvh_mod mod = { PROG_PA, size, NULL };
	struct pvh_cfg c = { "", std_map, ARRAY_SIZE(std_map), &mod, 1, 0 };

	return run_pvh(m, pvh_build(m, &c));
}

/* The good bundle with one header field changed is refused with @text. */
#define EXPECT_PROG_REFUSED(field, value, text)                         \
	do {                                                            \
		struct lwk_bare_bundle b_ = prog_bundle();              \
		struct fake_phys m_ = { 0 };                            \
		b_.field = (value);                                     \
		prog_place(&m_, &b_, PROG_SIZE);                        \
		EXPECT_FAIL(prog_run(&m_, PROG_SIZE), -EINVAL, (text)); \
		fp_free(&m_);                                           \
	} while (0)

static int prog_node(void)
{
	return fdt_path_offset(out, LWK_BD_PROGRAM);
}

/* What the kernel reads back from the good bundle's /program. */
static void expect_prog_node(bool interp)
{
	EXPECT_EQ(parse_out(), 0);
	EXPECT(bd.program.present);
	EXPECT_EQ(bd.program.image.base, PROG_PA + PROG_IMAGE);
	EXPECT_EQ(bd.program.image.size, 0x1000);
	EXPECT_EQ(bd.program.interp.base, interp ? PROG_PA + PROG_INTERP : 0);
	EXPECT_EQ(bd.program.interp.size, interp ? 0x800 : 0);
	EXPECT_EQ(!!fdt_getprop(out, prog_node(), LWK_BD_PROGRAM_INTERP, NULL), interp);
	EXPECT_EQ(bd.program.argv_len, sizeof(PROG_ARGV));
	EXPECT(!memcmp(bd.program.argv, PROG_ARGV, sizeof(PROG_ARGV)));
	EXPECT_EQ(bd.program.envp_len, sizeof(PROG_ENVP));
	EXPECT(!memcmp(bd.program.envp, PROG_ENVP, sizeof(PROG_ENVP)));
	EXPECT_EQ(bd.program.mem, 0x40000000);
	EXPECT_EQ(bd.program.cpus, 3);
}

SHIM_TEST(program)
{
	struct lwk_bare_bundle b = prog_bundle();

	prog_place(m, &b, PROG_SIZE);
	EXPECT_EQ(prog_run(m, PROG_SIZE), 0);
	expect_prog_node(true);
	/* The module stays reserved: the image is run from where it lies. */
	EXPECT_EQ(bd.reserved[1].base, PROG_PA);
	EXPECT_EQ(bd.reserved[1].size, 0x3000);
}

/* A static program: no interpreter, so no 'lwk,interp' at all. */
SHIM_TEST(program_without_interp)
{
	struct lwk_bare_bundle b = prog_bundle();

	b.interp_offset = 0;
	b.interp_size = 0;
	b.total_size = PROG_INTERP;
	prog_place(m, &b, PROG_INTERP);
	EXPECT_EQ(prog_run(m, PROG_INTERP), 0);
	expect_prog_node(false);
}

/* GRUB passes the same bundle as a multiboot2 module; no envp is fine. */
SHIM_TEST(program_mb2)
{
	struct lwk_bare_bundle b = prog_bundle();
	struct mb2b *mb = mb2b_new();

	b.envc = 0;
	prog_place(m, &b, PROG_SIZE);
	mb2b_mmap(mb, std_map, ARRAY_SIZE(std_map));
	mb2b_module(mb, PROG_PA, PROG_PA + PROG_SIZE, "whatever the user typed");
	EXPECT_EQ(run_mb2(m, mb2b_place(mb, m, true)), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.program.argv_len, sizeof(PROG_ARGV));
	EXPECT_EQ(bd.program.envp_len, 0);
	EXPECT_EQ(bd.program.image.base, PROG_PA + PROG_IMAGE);
}

HTEST(shim, program_bad_header)
{
	char want[128];

	snprintf(want, sizeof(want), "program module: ABI version %u, this kernel speaks %u",
		 LWK_ABI_VERSION + 1, LWK_ABI_VERSION);
	EXPECT_PROG_REFUSED(abi_version, LWK_ABI_VERSION + 1, want);
	EXPECT_PROG_REFUSED(total_size, PROG_SIZE + 1,
			    PROG_BAD_LAYOUT " (size 10241, module 10240 bytes)");
	EXPECT_PROG_REFUSED(image_size, 0, PROG_BAD_LAYOUT);
	EXPECT_PROG_REFUSED(argc, 0, PROG_BAD_LAYOUT);
	/* Offsets are taken from the module's page-aligned base. */
	EXPECT_PROG_REFUSED(image_offset, PROG_IMAGE + 8, PROG_BAD_LAYOUT);
	EXPECT_PROG_REFUSED(interp_offset, PROG_INTERP - 0x100, PROG_BAD_LAYOUT);
}

/* Every range must lie inside total_size, and offset + size must not wrap. */
HTEST(shim, program_ranges_outside)
{
	EXPECT_PROG_REFUSED(strings_offset, PROG_SIZE, PROG_BAD_LAYOUT);
	EXPECT_PROG_REFUSED(strings_offset, UINT64_MAX, PROG_BAD_LAYOUT);
	EXPECT_PROG_REFUSED(strings_size, PROG_SIZE, PROG_BAD_LAYOUT);
	EXPECT_PROG_REFUSED(strings_size, UINT64_MAX, PROG_BAD_LAYOUT);
	EXPECT_PROG_REFUSED(image_offset, PROG_INTERP, PROG_BAD_LAYOUT);
	EXPECT_PROG_REFUSED(image_offset, UINT64_MAX & ~0xfffull, PROG_BAD_LAYOUT);
	EXPECT_PROG_REFUSED(image_size, PROG_SIZE - PROG_IMAGE + 1, PROG_BAD_LAYOUT);
	EXPECT_PROG_REFUSED(image_size, UINT64_MAX, PROG_BAD_LAYOUT);
	EXPECT_PROG_REFUSED(interp_offset, PROG_SIZE + 0x1000, PROG_BAD_LAYOUT);
	EXPECT_PROG_REFUSED(interp_offset, UINT64_MAX & ~0xfffull, PROG_BAD_LAYOUT);
	EXPECT_PROG_REFUSED(interp_size, 0x801, PROG_BAD_LAYOUT);
	EXPECT_PROG_REFUSED(interp_size, UINT64_MAX, PROG_BAD_LAYOUT);
}

/* argc and envc strings must each end in a NUL inside strings_size, even
 * when a NUL follows just past it. */
HTEST(shim, program_strings_cut_short)
{
	const char *cut = "program module: argv/envp strings are cut short";

	EXPECT_PROG_REFUSED(strings_size, sizeof(PROG_ARGV) - 1, cut);
	EXPECT_PROG_REFUSED(strings_size, sizeof(prog_strings) - 1, cut);
	EXPECT_PROG_REFUSED(strings_size, 0, cut);
	EXPECT_PROG_REFUSED(argc, 5, cut);
	EXPECT_PROG_REFUSED(envc, 3, cut);
}

/* Strings with no NUL up to the module's very end: the search must stop there. */
SHIM_TEST(program_strings_at_module_end)
{
	struct lwk_bare_bundle b = prog_bundle();
	uint8_t *p;

	b.interp_size = 0;
	b.interp_offset = 0;
	b.strings_offset = PROG_INTERP;
	b.strings_size = 0x10;
	b.total_size = PROG_INTERP + 0x10;
	p = prog_place(m, &b, b.total_size);
	memset(p + PROG_INTERP, 'x', 0x10);
	EXPECT_FAIL(prog_run(m, b.total_size), -EINVAL, "argv/envp strings are cut short");
}

SHIM_TEST(program_module_too_small)
{
	struct lwk_bare_bundle b = prog_bundle();

	/* Memory and module both end inside the header. */
	prog_place(m, &b, 64);
	EXPECT_FAIL(prog_run(m, 64), -EINVAL, "program module: too small for its header");
	fp_free(m);
	/* Only the magic: the module says 4 bytes, though more are mapped. */
	prog_place(m, &b, PROG_SIZE);
	EXPECT_FAIL(prog_run(m, 4), -EINVAL, "program module: too small for its header");
	fp_free(m);
	/* Too small to hold even the magic: some other module, not a program. */
	prog_place(m, &b, PROG_SIZE);
	EXPECT_EQ(prog_run(m, 3), 0);
	EXPECT_EQ(prog_node(), -FDT_ERR_NOTFOUND);
}

/* A module the boot loader lists but whose strings cannot be mapped (past
 * the 4 GiB that boot_phys() reaches) is refused, not dereferenced. */
SHIM_TEST(program_strings_unreachable)
{
	struct lwk_bare_bundle b = prog_bundle();

	b.strings_offset = PROG_INTERP;
	prog_place(m, &b, PROG_INTERP);
	EXPECT_FAIL(prog_run(m, PROG_SIZE), -EINVAL,
		    "program module: its strings at 0x6002000 are not reachable");
}

SHIM_TEST(program_twice)
{
	struct lwk_bare_bundle b = prog_bundle();
	struct pvh_mod mods[] = { { PROG_PA, PROG_SIZE, NULL }, { PROG_PA, PROG_SIZE, NULL } };
	struct pvh_cfg c = { "", std_map, ARRAY_SIZE(std_map), mods, 2, 0 };

	prog_place(m, &b, PROG_SIZE);
	EXPECT_FAIL(run_pvh(m, pvh_build(m, &c)), -EINVAL,
		    "pvh: a second program module at 0x6000000; pass only one");
}

/* A value at an edge of the good layout, or one off it either way. */
static uint64_t prog_edge(uint32_t r)
{
	static const uint64_t edge[] = { 0, 0x800, PROG_INTERP, PROG_SIZE, UINT64_MAX & ~0xfffull };

	return edge[r % ARRAY_SIZE(edge)] + (r / ARRAY_SIZE(edge)) % 3 - 1;
}

/* A header field set to an edge, or a bit flipped in the header or strings;
 * never the magic, so that the module is always taken for a program. */
static void prog_mutate(uint8_t *p, uint32_t *seed)
{
	uint32_t r, at;

	*seed = *seed * 1103515245 + 12345;
	r = *seed >> 8;
	at = 4 * (1 + (r >> 2) % 21); /* a 4-byte slot after the magic */
	if (r % 4 == 0)
		wr32(p + at, prog_edge(r >> 8));
	else if (r % 4 == 1 && at % 8 == 0)
		wr64(p + at, prog_edge(r >> 8));
	else
		p[4 + (r >> 2) % (sizeof(struct lwk_bare_bundle) + sizeof(prog_strings) - 4)] ^=
		    1 << (r >> 21);
}

static bool prog_inside(const struct bd_range *r)
{
	return r->base >= PROG_PA && r->size <= PROG_SIZE &&
	       r->base - PROG_PA <= PROG_SIZE - r->size;
}

/* No bundle may crash the shim, and an accepted one only describes bytes
 * of its module. */
HTEST(shim, program_fuzz)
{
	uint32_t seed = 2024;
	int accepted = 0, refused = 0;

	for (int round = 0; round < 20000; round++) {
		struct fake_phys m = { 0 };
		struct lwk_bare_bundle b = prog_bundle();
		uint8_t *p = prog_place(&m, &b, PROG_SIZE);
		int ret;

		prog_mutate(p, &seed);
		prog_mutate(p, &seed);
		ret = prog_run(&m, PROG_SIZE);
		if (ret) {
			EXPECT_EQ(ret, -EINVAL);
			EXPECT(!strncmp(err, "program module", 14) && !strchr(err, '\n'));
			refused++;
		} else {
			EXPECT_EQ(parse_out(), 0);
			EXPECT(bd.program.present && bd.program.image.size);
			EXPECT(prog_inside(&bd.program.image));
			EXPECT(!bd.program.interp.size || prog_inside(&bd.program.interp));
			EXPECT(bd.program.argv_len + bd.program.envp_len <= PROG_SIZE);
			accepted++;
		}
		fp_free(&m);
	}
	EXPECT(accepted > 0 && refused > 0);
}

/* ---- lwk.channel ------------------------------------------------------------------ */

#define CHAN_BASE 0x2000000ull
#define CHAN_SIZE 0x400000ull

static void expect_channel_reserved(void)
{
	EXPECT_EQ(bd.channel.base, CHAN_BASE);
	EXPECT_EQ(bd.channel.size, CHAN_SIZE);
	/* kernel, channel, then the two modules, sorted */
	EXPECT_EQ(bd.n_reserved, 4);
	EXPECT_EQ(bd.reserved[1].base, CHAN_BASE);
	EXPECT_EQ(bd.reserved[1].size, CHAN_SIZE);
	EXPECT_EQ(bd.reserved[2].base, MOD1_START);
}

SHIM_TEST(channel_mb2)
{
	const char *line = "console=ttyS0 lwk.channel=0x2000000,0x400000";

	EXPECT_EQ(run_mb2(m, mb2_std(m, line)), 0);
	EXPECT_EQ(parse_out(), 0);
	expect_channel_reserved();
	expect_std_memory();
	EXPECT(!strcmp(bd.bootargs, line));
}

SHIM_TEST(channel_pvh_decimal)
{
	struct pvh_cfg c = pvh_std(m, "lwk.channel=33554432,4194304");

	EXPECT_EQ(run_pvh(m, pvh_build(m, &c)), 0);
	EXPECT_EQ(parse_out(), 0);
	expect_channel_reserved();
}

/* Without the key there is no channel; with it twice, the last wins. */
SHIM_TEST(channel_absent_and_last_wins)
{
	EXPECT_EQ(run_mb2(m, mb2_std(m, "xlwk.channel=1,2 lwk.channelx=3")), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.channel.size, 0);
	expect_std_reserved();
	fp_free(m);
	EXPECT_EQ(run_mb2(m, mb2_std(m, "lwk.channel=junk lwk.channel=0x2000000,0x400000")), 0);
	EXPECT_EQ(parse_out(), 0);
	expect_channel_reserved();
}

static void expect_channel_refused(const char *value, const char *text)
{
	struct fake_phys m = { 0 };
	char line[128];

	snprintf(line, sizeof(line), "console=ttyS0 lwk.channel=%s quiet", value);
	EXPECT_FAIL(run_mb2(&m, mb2_std(&m, line)), -EINVAL, text);
	EXPECT(!strncmp(err, "lwk.channel: ", 13));
	fp_free(&m);
}

HTEST(shim, channel_syntax)
{
	const char *form = "is not BASE,SIZE (bytes, decimal or 0x hex, e.g. "
			   "lwk.channel=0x1000000,0x400000)";

	expect_channel_refused("0x2000000", form);
	expect_channel_refused("0x2000000,", form);
	expect_channel_refused(",0x400000", form);
	expect_channel_refused("abc,0x400000", "'abc,0x400000' is not BASE,SIZE");
	expect_channel_refused("0x2000000,0x400000,1", form);
	expect_channel_refused("-1,0x400000", form);
	expect_channel_refused("0x,0x400000", form);
	expect_channel_refused("0x10000000000000000,0x1000", form); /* more than 64 bits */
	expect_channel_refused("18446744073709551616,4096", form);
	expect_channel_refused("0xfffffffffffff000,0x2000",
			       "base 0xfffffffffffff000 + size 0x2000 runs past the end");
}

HTEST(shim, channel_bad_ranges)
{
	expect_channel_refused("0x2000800,0x400000",
			       "base 0x2000800 and size 0x400000 must be multiples of 4 KiB");
	expect_channel_refused("0x2000000,0x400800", "must be multiples of 4 KiB");
	expect_channel_refused("0x2000000,0", "size 0x0 is less than the 2048 KiB it needs");
	expect_channel_refused("0x2000000,0x3f000", "size 0x3f000 is less than the 2048 KiB");
	/* below 1 MiB (RAM, but the trampoline's), in ACPI tables, past RAM */
	expect_channel_refused("0x40000,0x200000",
			       "[0x40000, 0x240000) is not inside usable RAM above 1 MiB");
	expect_channel_refused("0x7ffc0000,0x200000", "is not inside usable RAM above 1 MiB");
	expect_channel_refused("0x17ffc0000,0x200000", "is not inside usable RAM above 1 MiB");
	/* the kernel image, a module */
	expect_channel_refused("0x1000000,0x400000",
			       "[0x1000000, 0x1400000) overlaps the kernel image or a boot module");
	expect_channel_refused("0x2f00000,0x200000", "overlaps the kernel image or a boot module");
}

/* ---- the wall clock (CMOS RTC) ----------------------------------------------------- */

/* A CMOS clock: its registers, how many more status A reads see an update
 * in progress, and how many more reads of the seconds find it ticked. */
static struct {
	uint8_t reg[128];
	unsigned int uip_reads;
	bool uip_stuck;
	unsigned int ticks;
	uint64_t tsc; /* what fake_cycles says */
	bool tsc_runs;
	char warned[256];
} rtc;

static uint8_t fake_cmos_read(void *ctx, uint8_t reg)
{
	uint8_t v = rtc.reg[reg & 0x7f];

	if (reg == 0x0a) {
		if (!rtc.uip_stuck && !rtc.uip_reads)
			return 0x26;
		rtc.uip_reads -= !!rtc.uip_reads;
		return 0x80 | 0x26;
	}
	if (reg == 0x00 && rtc.ticks) { /* BCD seconds, ticking within a minute */
		rtc.ticks--;
		rtc.reg[0] = (v & 0xf) == 9 ? (uint8_t)((v & 0xf0) + 0x10) : (uint8_t)(v + 1);
	}
	return v;
}

static uint64_t fake_cycles(void *ctx)
{
	if (rtc.tsc_runs)
		rtc.tsc += TSC_HZ / 1000; /* 1 ms per look */
	return rtc.tsc;
}

static void fake_warn(void *ctx, const char *msg)
{
	snprintf(rtc.warned, sizeof(rtc.warned), "%s", msg);
}

/* 2026-11-05 01:02:03 in BCD, 24-hour, century kept; TSC at 5 s. */
static void rtc_std(void)
{
	static const uint8_t regs[][2] = { { 0x00, 0x03 }, { 0x02, 0x02 }, { 0x04, 0x01 },
					   { 0x07, 0x05 }, { 0x08, 0x11 }, { 0x09, 0x26 },
					   { 0x0b, 0x02 }, { 0x32, 0x20 } };

	memset(&rtc, 0, sizeof(rtc));
	for (unsigned int i = 0; i < ARRAY_SIZE(regs); i++)
		rtc.reg[regs[i][0]] = regs[i][1];
	rtc.tsc = 5 * TSC_HZ;
}

#define RTC_STD_UNIX 1793840523ull

static int run_pvh_rtc(bool with_rtc)
{
	struct fake_phys m = { 0 };
	struct pvh_cfg c = { NULL, std_map, ARRAY_SIZE(std_map), NULL, 0, 0 };
	struct shim_env env = test_env(&m);
	int ret;

	if (with_rtc) {
		env.cmos_read = fake_cmos_read;
		env.cycles = fake_cycles;
	}
	env.warn = fake_warn;
	memset(out, 0, sizeof(out));
	ret = shim_from_pvh(&env, pvh_build(&m, &c), out, sizeof(out), err, sizeof(err));
	fp_free(&m);
	return ret;
}

static bool out_has_wallclock(void)
{
	return fdt_getprop(out, 0, LWK_BD_WALLCLOCK, NULL) != NULL;
}

static int64_t unix_of(uint32_t y, uint32_t mo, uint32_t d, uint32_t h, uint32_t mi, uint32_t s)
{
	struct shim_rtc_time tm = { y, mo, d, h, mi, s };

	return shim_rtc_to_unix(&tm);
}

HTEST(rtc, to_unix)
{
	EXPECT_EQ(unix_of(1970, 1, 1, 0, 0, 0), 0);
	EXPECT_EQ(unix_of(1970, 1, 1, 0, 0, 1), 1);
	EXPECT_EQ(unix_of(1969, 12, 31, 23, 59, 59), (uint64_t)-1);
	EXPECT_EQ(unix_of(1999, 12, 31, 23, 59, 59), 946684799);
	EXPECT_EQ(unix_of(2000, 2, 29, 12, 34, 56), 951827696); /* 2000 is a leap year */
	EXPECT_EQ(unix_of(2024, 12, 31, 23, 59, 59), 1735689599);
	EXPECT_EQ(unix_of(2038, 1, 19, 3, 14, 8), 2147483648ull);
	EXPECT_EQ(unix_of(2100, 3, 1, 0, 0, 0), 4107542400ull); /* 2100 is not */
	EXPECT_EQ(unix_of(2026, 11, 5, 1, 2, 3), RTC_STD_UNIX);
}

static int decode(uint8_t sec, uint8_t min, uint8_t hour, uint8_t mday, uint8_t mon, uint8_t year,
		  uint8_t century, uint8_t status_b, int64_t *unix_s)
{
	struct shim_rtc_regs r = { sec, min, hour, mday, mon, year, century, status_b };
	struct shim_rtc_time tm;
	char why[160] = "";
	int ret = shim_rtc_decode(&r, &tm, why, sizeof(why));

	if (!ret)
		*unix_s = shim_rtc_to_unix(&tm);
	else
		EXPECT(why[0] != '\0');
	return ret;
}

HTEST(rtc, decode_bcd_and_binary)
{
	int64_t s = 0;

	EXPECT_EQ(decode(0x56, 0x34, 0x12, 0x29, 0x02, 0x00, 0x20, 0x02, &s), 0);
	EXPECT_EQ(s, 951827696);
	s = 0;
	EXPECT_EQ(decode(56, 34, 12, 29, 2, 0, 20, 0x06, &s), 0);
	EXPECT_EQ(s, 951827696);
	EXPECT_EQ(decode(59, 59, 23, 31, 12, 99, 19, 0x06, &s), 0);
	EXPECT_EQ(s, 946684799);
}

HTEST(rtc, decode_12_hour)
{
	int64_t s = 0;
	const int64_t day = 951782400; /* 2000-02-29 00:00:00 */

	EXPECT_EQ(decode(0, 0, 0x12, 0x29, 0x02, 0x00, 0x20, 0x00, &s), 0); /* 12 AM */
	EXPECT_EQ(s, day);
	EXPECT_EQ(decode(0, 0, 0x92, 0x29, 0x02, 0x00, 0x20, 0x00, &s), 0); /* 12 PM */
	EXPECT_EQ(s, day + 12 * 3600);
	EXPECT_EQ(decode(0, 0, 0x81, 0x29, 0x02, 0x00, 0x20, 0x00, &s), 0); /* 1 PM */
	EXPECT_EQ(s, day + 13 * 3600);
	EXPECT_EQ(decode(0, 0, 0x11, 0x29, 0x02, 0x00, 0x20, 0x00, &s), 0); /* 11 AM */
	EXPECT_EQ(s, day + 11 * 3600);
	EXPECT_EQ(decode(0, 0, 0x80 | 11, 29, 2, 0, 20, 0x04, &s), 0); /* binary 11 PM */
	EXPECT_EQ(s, day + 23 * 3600);
	EXPECT_EQ(decode(0, 0, 0x00, 0x29, 0x02, 0x00, 0x20, 0x00, &s), -EINVAL);
	EXPECT_EQ(decode(0, 0, 0x13, 0x29, 0x02, 0x00, 0x20, 0x00, &s), -EINVAL);
	EXPECT_EQ(decode(0, 0, 0x24, 0x29, 0x02, 0x00, 0x20, 0x02, &s), -EINVAL); /* 24h */
}

HTEST(rtc, decode_century)
{
	int64_t s = 0;

	EXPECT_EQ(decode(0, 0, 0, 0x01, 0x03, 0x00, 0x21, 0x02, &s), 0);
	EXPECT_EQ(s, 4107542400ull); /* 2100-03-01 */
	/* not kept (0, 0xff, junk, out of range): 20xx */
	EXPECT_EQ(decode(0x56, 0x34, 0x12, 0x29, 0x02, 0x00, 0x00, 0x02, &s), 0);
	EXPECT_EQ(s, 951827696);
	EXPECT_EQ(decode(0x56, 0x34, 0x12, 0x29, 0x02, 0x00, 0xff, 0x02, &s), 0);
	EXPECT_EQ(s, 951827696);
	EXPECT_EQ(decode(0x56, 0x34, 0x12, 0x29, 0x02, 0x00, 0x45, 0x02, &s), 0);
	EXPECT_EQ(s, 951827696);
	EXPECT_EQ(decode(56, 34, 12, 29, 2, 0, 0x20, 0x06, &s), 0); /* binary 32 */
	EXPECT_EQ(s, 951827696);
	/* 1950 comes before the epoch */
	EXPECT_EQ(decode(0, 0, 0, 0x01, 0x01, 0x50, 0x19, 0x02, &s), -EINVAL);
}

HTEST(rtc, decode_refuses)
{
	int64_t s = 0;

	EXPECT_EQ(decode(0x1a, 0, 0, 0x01, 0x01, 0x26, 0x20, 0x02, &s), -EINVAL); /* BCD */
	EXPECT_EQ(decode(0x60, 0, 0, 0x01, 0x01, 0x26, 0x20, 0x02, &s), -EINVAL);
	EXPECT_EQ(decode(0, 0x60, 0, 0x01, 0x01, 0x26, 0x20, 0x02, &s), -EINVAL);
	EXPECT_EQ(decode(0, 0, 0, 0x01, 0x13, 0x26, 0x20, 0x02, &s), -EINVAL);
	EXPECT_EQ(decode(0, 0, 0, 0x01, 0x00, 0x26, 0x20, 0x02, &s), -EINVAL);
	EXPECT_EQ(decode(0, 0, 0, 0x00, 0x01, 0x26, 0x20, 0x02, &s), -EINVAL);
	EXPECT_EQ(decode(0, 0, 0, 0x31, 0x04, 0x26, 0x20, 0x02, &s), -EINVAL);
	EXPECT_EQ(decode(0, 0, 0, 0x29, 0x02, 0x23, 0x20, 0x02, &s), -EINVAL);
	EXPECT_EQ(decode(0, 0, 0, 0x29, 0x02, 0x24, 0x20, 0x02, &s), 0);
	EXPECT_EQ(decode(0, 0, 0, 0x29, 0x02, 0x00, 0x21, 0x02, &s), -EINVAL); /* 2100 */
	EXPECT_EQ(decode(0, 0, 0, 1, 1, 100, 20, 0x06, &s), -EINVAL);	       /* binary */
	EXPECT_EQ(decode(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, &s), -EINVAL);
}

static uint64_t std_offset(uint64_t unix_s)
{
	return unix_s * 1000000000ull - shim_tsc_to_ns(5 * TSC_HZ, TSC_HZ);
}

HTEST(rtc, shim_writes_offset)
{
	rtc_std();
	rtc.uip_reads = 3; /* an update is under way when the shim looks */
	EXPECT_EQ(run_pvh_rtc(true), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT(out_has_wallclock());
	/* the kernel's fixed-point factor: a few ns short */
	EXPECT(5000000000ull - shim_tsc_to_ns(5 * TSC_HZ, TSC_HZ) < 10);
	EXPECT_EQ(bd.wallclock_offset_ns, std_offset(RTC_STD_UNIX));
	EXPECT_EQ(rtc.warned[0], '\0');
}

/* The seconds tick between the two reads: the shim reads again. */
HTEST(rtc, shim_reads_until_equal)
{
	rtc_std();
	rtc.ticks = 1;
	EXPECT_EQ(run_pvh_rtc(true), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT_EQ(bd.wallclock_offset_ns, std_offset(RTC_STD_UNIX + 1));
}

static void expect_no_wallclock(const char *why)
{
	EXPECT_EQ(run_pvh_rtc(why != NULL), 0);
	EXPECT_EQ(parse_out(), 0);
	EXPECT(!out_has_wallclock());
	EXPECT_EQ(bd.wallclock_offset_ns, 0);
	EXPECT_STR_CONTAINS(rtc.warned, "CLOCK_REALTIME counts from 1970");
	EXPECT_STR_CONTAINS(rtc.warned, why ? why : "no RTC to read");
}

/* A clock that cannot be read leaves the key out; the boot goes on. */
HTEST(rtc, shim_without_clock)
{
	rtc_std();
	expect_no_wallclock(NULL);
	rtc_std();
	rtc.uip_stuck = true;
	rtc.tsc_runs = true;
	expect_no_wallclock("stayed in an update");
	rtc_std();
	rtc.ticks = 1000;
	expect_no_wallclock("changed between every two of 5 reads");
	rtc_std();
	rtc.reg[0x08] = 0x13;
	expect_no_wallclock("no valid time (26-13-05 01:02:03, status B 0x02)");
	/* 1970-01-01 00:00:01, with the TSC 5 s old */
	rtc_std();
	rtc.reg[0x09] = 0x70, rtc.reg[0x32] = 0x19, rtc.reg[0x08] = 0x01, rtc.reg[0x07] = 0x01;
	rtc.reg[0x04] = 0, rtc.reg[0x02] = 0, rtc.reg[0x00] = 0x01;
	expect_no_wallclock("before the TSC's start");
}

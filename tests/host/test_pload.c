// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of the partition loader (proxy/lib/pload.c): a synthetic
 * kernel ELF (and build/lwk.elf when it is a partition-capable one) is
 * loaded into a buffer that stands for the memory lwk.ko reserved; the
 * tests then walk the page tables it built, read the boot description back
 * with the kernel's own reader, and check the trampoline page.
 */
#include <elf.h>
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <uapi/arch/trampoline.h>
#include <uapi/lwk/abi.h>
#include <lwk/bootdesc.h>
#include "htest.h"
#include "pload.h"

#define LOW_BASE 0x40000000ull
#define LOW_SIZE (64ull << 20)
#define HIGH_BASE 0x140000000ull
#define HIGH_SIZE (2ull << 30)
#define TRAMP_PAGE 0x90000ull
#define VMA 0xffffffff80000000ull
#define TEXT_SIZE 0x3000ull
#define DATA_FILE 0x1000ull
#define DATA_MEM 0x5000ull
#define MB2_ 0x200000ull
#define GB1_ 0x40000000ull

static uint8_t *mem; /* LOW_SIZE bytes standing for [LOW_BASE, LOW_BASE + LOW_SIZE) */

static void *fake_phys(void *ctx, uint64_t pa, uint64_t len)
{
	if (pa < LOW_BASE || pa - LOW_BASE > LOW_SIZE || len > LOW_SIZE - (pa - LOW_BASE))
		return NULL;
	return mem + (pa - LOW_BASE);
}

static const struct pload_mem fake_mem = { fake_phys, NULL };

static void mem_fresh(void)
{
	if (!mem) {
		mem = mmap(NULL, LOW_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			   0);
		if (mem == MAP_FAILED)
			abort();
	}
	memset(mem, 0xaa, LOW_SIZE); /* what Linux left there */
}

/* ---- a synthetic kernel: text, data + bss, a symbol table ---- */

struct synth {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	Elf64_Shdr sh[3];
	Elf64_Sym sym[6];
	char str[128];
	uint8_t text[TEXT_SIZE];
	uint8_t data[DATA_FILE];
};

static struct synth synth;

static uint32_t str_add(size_t *used, const char *s)
{
	uint32_t at = (uint32_t)*used;

	memcpy(synth.str + at, s, strlen(s) + 1);
	*used += strlen(s) + 1;
	return at;
}

static void synth_build(int with_entry)
{
	const char *names[] = { "trampoline_start", "trampoline_long", "trampoline_end",
				"partition_entry", "boot_stack_top" };
	const uint64_t vals[] = { VMA + 0x201000, VMA + 0x201040, VMA + 0x201100, VMA + 0x200100,
				  VMA + 0x207000 };
	size_t used = 1;

	memset(&synth, 0, sizeof(synth));
	memcpy(synth.eh.e_ident, ELFMAG, SELFMAG);
	synth.eh.e_ident[EI_CLASS] = ELFCLASS64;
	synth.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	synth.eh.e_ident[EI_VERSION] = EV_CURRENT;
	synth.eh.e_type = ET_EXEC;
	synth.eh.e_machine = EM_X86_64;
	synth.eh.e_version = EV_CURRENT;
	synth.eh.e_ehsize = sizeof(Elf64_Ehdr);
	synth.eh.e_phoff = offsetof(struct synth, ph);
	synth.eh.e_phentsize = sizeof(Elf64_Phdr);
	synth.eh.e_phnum = 2;
	synth.eh.e_shoff = offsetof(struct synth, sh);
	synth.eh.e_shentsize = sizeof(Elf64_Shdr);
	synth.eh.e_shnum = 3;
	synth.ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD,
				    .p_flags = PF_R | PF_X,
				    .p_offset = offsetof(struct synth, text),
				    .p_vaddr = VMA + 0x200000,
				    .p_paddr = 0x200000,
				    .p_filesz = TEXT_SIZE,
				    .p_memsz = TEXT_SIZE };
	synth.ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD,
				    .p_flags = PF_R | PF_W,
				    .p_offset = offsetof(struct synth, data),
				    .p_vaddr = VMA + 0x200000 + TEXT_SIZE,
				    .p_paddr = 0x200000 + TEXT_SIZE,
				    .p_filesz = DATA_FILE,
				    .p_memsz = DATA_MEM };
	for (unsigned int i = 0; i < 5; i++) {
		if (i == 3 && !with_entry)
			continue;
		synth.sym[i + 1] = (Elf64_Sym){ .st_name = str_add(&used, names[i]),
						.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE),
						.st_shndx = 1,
						.st_value = vals[i] };
	}
	synth.sh[1] = (Elf64_Shdr){ .sh_type = SHT_SYMTAB,
				    .sh_offset = offsetof(struct synth, sym),
				    .sh_size = sizeof(synth.sym),
				    .sh_link = 2,
				    .sh_entsize = sizeof(Elf64_Sym) };
	synth.sh[2] = (Elf64_Shdr){ .sh_type = SHT_STRTAB,
				    .sh_offset = offsetof(struct synth, str),
				    .sh_size = sizeof(synth.str) };
	for (unsigned int i = 0; i < TEXT_SIZE; i++)
		synth.text[i] = (uint8_t)(i * 7 + 1);
	for (unsigned int i = 0; i < DATA_FILE; i++)
		synth.data[i] = (uint8_t)(i * 3 + 5);
}

static void info_fill(struct lwk_ioc_info *info, unsigned int ncpus)
{
	memset(info, 0, sizeof(*info));
	info->state = LWK_DEV_STATE_RESERVED;
	info->ncpus = ncpus;
	for (unsigned int i = 0; i < ncpus; i++) {
		info->linux_cpu[i] = 2 + i;
		info->apic_id[i] = 4 + 2 * i;
	}
	info->nranges = 2;
	info->range[0] = (struct lwk_dev_range){ LOW_BASE, LOW_SIZE };
	info->range[1] = (struct lwk_dev_range){ HIGH_BASE, HIGH_SIZE };
	info->mem = LOW_SIZE + HIGH_SIZE;
	info->tsc_khz = 2500000;
	info->trampoline = TRAMP_PAGE;
	info->doorbell_vector = 0xec;
	info->doorbell_apic_id = 1;
	snprintf(info->name, sizeof(info->name), "node");
}

/* The physical address @va translates to through the tables at @pml4;
 * -1 if it is not mapped. */
static uint64_t walk(uint64_t pml4, uint64_t va)
{
	uint64_t table = pml4, e = 0;

	for (int shift = 39; shift >= 21; shift -= 9) {
		const uint64_t *t = fake_phys(NULL, table, 4096);

		if (!t)
			return (uint64_t)-1;
		e = t[(va >> shift) & 511];
		if (!(e & 1))
			return (uint64_t)-1;
		if (shift == 21)
			break;
		if (e & 0x80) /* no 1 GiB leaves expected */
			return (uint64_t)-2;
		table = e & 0x000ffffffffff000ull;
	}
	if (!(e & 0x80) || !(e & 2))
		return (uint64_t)-3;
	return (e & 0x000fffffffe00000ull) + (va & (MB2_ - 1));
}

struct loaded {
	struct pload_kernel k;
	struct pload_layout l;
	struct lwk_ioc_info info;
	uint8_t page[LWK_DEV_PAGE];
	char err[256];
};

static struct loaded ld;

static int load_synth(unsigned int ncpus)
{
	struct pload_opts o = { .bootargs = "loglevel=debug", .wallclock_offset_ns = 12345 };
	int r;

	synth_build(1);
	mem_fresh();
	info_fill(&ld.info, ncpus);
	r = pload_parse(&synth, sizeof(synth), &ld.k, ld.err, sizeof(ld.err));
	if (!r)
		r = pload_place(&ld.k, &ld.info, &ld.l, ld.err, sizeof(ld.err));
	if (!r)
		r = pload_load(&ld.k, &ld.info, &o, &fake_mem, &ld.l, ld.page, ld.err,
			       sizeof(ld.err));
	if (r)
		printf("  load: %s\n", ld.err);
	return r;
}

HTEST(pload, parse_synthetic)
{
	struct pload_kernel k;
	char err[256];

	synth_build(1);
	EXPECT_EQ(pload_parse(&synth, sizeof(synth), &k, err, sizeof(err)), 0);
	EXPECT_EQ(k.span, TEXT_SIZE + DATA_MEM);
	EXPECT_EQ(k.entry, VMA + 0x200100);
	EXPECT_EQ(k.stack_top, VMA + 0x207000);
	EXPECT_EQ(k.tramp_long - k.tramp_start, 0x40);
}

HTEST(pload, parse_refuses)
{
	struct pload_kernel k;
	char err[256];

	synth_build(0);
	EXPECT_EQ(pload_parse(&synth, sizeof(synth), &k, err, sizeof(err)), -ENOEXEC);
	EXPECT_STR_CONTAINS(err, "partition_entry");
	synth_build(1);
	synth.ph[1].p_vaddr += 0x1000;
	EXPECT_EQ(pload_parse(&synth, sizeof(synth), &k, err, sizeof(err)), -ENOEXEC);
	EXPECT_STR_CONTAINS(err, "segment 1");
	synth_build(1);
	synth.ph[0].p_offset = sizeof(synth);
	EXPECT_EQ(pload_parse(&synth, sizeof(synth), &k, err, sizeof(err)), -ENOEXEC);
	EXPECT_STR_CONTAINS(err, "outside the file");
	synth_build(1);
	synth.eh.e_shnum = 0;
	EXPECT_EQ(pload_parse(&synth, sizeof(synth), &k, err, sizeof(err)), -ENOEXEC);
	EXPECT_STR_CONTAINS(err, "symbol table");
	EXPECT_EQ(pload_parse("#!/bin/sh\n", 10, &k, err, sizeof(err)), -ENOEXEC);
	EXPECT_STR_CONTAINS(err, "not an ELF");
	/* Cut anywhere, it is refused, never read past its end. */
	synth_build(1);
	for (size_t n = 0; n < sizeof(synth); n += 61)
		EXPECT(pload_parse(&synth, n, &k, err, sizeof(err)) != 0);
}

HTEST(pload, place_low_range)
{
	struct lwk_ioc_info info;
	struct pload_kernel k;
	struct pload_layout l;
	char err[256];
	uint64_t need;

	synth_build(1);
	EXPECT_EQ(pload_parse(&synth, sizeof(synth), &k, err, sizeof(err)), 0);
	need = pload_low_min(&k, LOW_SIZE + HIGH_SIZE);
	EXPECT_EQ(need % MB2_, 0);
	EXPECT(need >= k.span + PLOAD_FDT_SIZE + PLOAD_CHAN_SIZE + 4096 * 8);
	EXPECT(need <= LOW_SIZE);
	info_fill(&info, 2);
	EXPECT_EQ(pload_place(&k, &info, &l, err, sizeof(err)), 0);
	EXPECT_EQ(l.base, LOW_BASE);
	EXPECT(l.chan_base + l.chan_size <= l.end);
	EXPECT(l.end <= LOW_BASE + need); /* the module's low_min is enough */
	/* Only ranges above 4 GiB: no K. */
	info.range[0].base = 0x200000000ull;
	info.range[0].size = LOW_SIZE;
	info.range[1].base = 0x300000000ull;
	EXPECT_EQ(pload_place(&k, &info, &l, err, sizeof(err)), -ENOSPC);
	EXPECT_STR_CONTAINS(err, "below 4 GiB");
	/* A low range too small is passed over for a later one that fits. */
	info_fill(&info, 2);
	info.range[0].size = MB2_;
	info.range[1].base = 0x80000000ull;
	EXPECT_EQ(pload_place(&k, &info, &l, err, sizeof(err)), 0);
	EXPECT_EQ(l.base, 0x80000000ull);
	info.range[1].size = 0x100001;
	EXPECT_EQ(pload_place(&k, &info, &l, err, sizeof(err)), -EINVAL);
	EXPECT_STR_CONTAINS(err, "2 MiB");
}

/* Every range in a GiB (and a 512 GiB) of its own: the most tables. */
HTEST(pload, many_ranges)
{
	struct pload_opts o = { 0 };
	static struct bootdesc bd;
	char err[256];
	uint64_t total = LOW_SIZE;

	synth_build(1);
	mem_fresh();
	info_fill(&ld.info, 2);
	ld.info.nranges = LWK_DEV_MAX_RANGES;
	for (unsigned int i = 1; i < LWK_DEV_MAX_RANGES; i++) {
		ld.info.range[i].base = (1ull << 39) * i - GB1_;
		ld.info.range[i].size = 2 * GB1_; /* across a 512 GiB line */
		total += ld.info.range[i].size;
	}
	ld.info.mem = total;
	EXPECT_EQ(pload_parse(&synth, sizeof(synth), &ld.k, err, sizeof(err)), 0);
	EXPECT_EQ(pload_place(&ld.k, &ld.info, &ld.l, err, sizeof(err)), 0);
	EXPECT(ld.l.end - ld.l.base <= pload_low_min(&ld.k, total));
	EXPECT_EQ(pload_load(&ld.k, &ld.info, &o, &fake_mem, &ld.l, ld.page, err, sizeof(err)), 0);
	EXPECT_EQ(walk(ld.l.pml4, PLOAD_DIRECT_MAP + (5ull << 39) - 1), (5ull << 39) - 1);
	EXPECT_EQ(walk(ld.l.pml4, PLOAD_DIRECT_MAP + (5ull << 39) + GB1_ - 1),
		  (5ull << 39) + GB1_ - 1);
	EXPECT_EQ(walk(ld.l.pml4, PLOAD_DIRECT_MAP + (5ull << 39) + GB1_), (uint64_t)-1);
	EXPECT_EQ(bootdesc_parse(fake_phys(NULL, ld.l.fdt, PLOAD_FDT_SIZE), PLOAD_FDT_SIZE, &bd,
				 err, sizeof(err)),
		  0);
	EXPECT_EQ(bd.n_memory, LWK_DEV_MAX_RANGES);
}

HTEST(pload, image_and_tables)
{
	uint64_t k;

	if (load_synth(3)) {
		EXPECT(0);
		return;
	}
	k = ld.l.base;
	EXPECT(!memcmp(fake_phys(NULL, k, TEXT_SIZE), synth.text, TEXT_SIZE));
	EXPECT(!memcmp(fake_phys(NULL, k + TEXT_SIZE, DATA_FILE), synth.data, DATA_FILE));
	for (uint64_t i = TEXT_SIZE + DATA_FILE; i < TEXT_SIZE + DATA_MEM; i++)
		if (*(uint8_t *)fake_phys(NULL, k + i, 1)) {
			EXPECT(!"bss zeroed");
			break;
		}
	/* [0, 2 MiB) identity: the trampoline page runs there. */
	EXPECT_EQ(walk(ld.l.pml4, TRAMP_PAGE + 0x123), TRAMP_PAGE + 0x123);
	EXPECT_EQ(walk(ld.l.pml4, 0), 0);
	EXPECT_EQ(walk(ld.l.pml4, MB2_ - 1), MB2_ - 1);
	EXPECT_EQ(walk(ld.l.pml4, MB2_), (uint64_t)-1);
	/* The kernel at its link address, on K. */
	EXPECT_EQ(walk(ld.l.pml4, VMA + 0x200000), k);
	EXPECT_EQ(walk(ld.l.pml4, ld.k.entry), k + 0x100);
	EXPECT_EQ(walk(ld.l.pml4, VMA + 0x200000 + ld.k.span - 1), k + ld.k.span - 1);
	EXPECT_EQ(walk(ld.l.pml4, VMA + 0x400000 - 1), k + MB2_ - 1);
	EXPECT_EQ(walk(ld.l.pml4, VMA + 0x400000), (uint64_t)-1);
	EXPECT_EQ(walk(ld.l.pml4, VMA), (uint64_t)-1);
	/* The direct map over every range, and nothing else. */
	EXPECT_EQ(walk(ld.l.pml4, PLOAD_DIRECT_MAP + LOW_BASE), LOW_BASE);
	EXPECT_EQ(walk(ld.l.pml4, PLOAD_DIRECT_MAP + ld.l.fdt), ld.l.fdt);
	EXPECT_EQ(walk(ld.l.pml4, PLOAD_DIRECT_MAP + LOW_BASE + LOW_SIZE - 1),
		  LOW_BASE + LOW_SIZE - 1);
	EXPECT_EQ(walk(ld.l.pml4, PLOAD_DIRECT_MAP + LOW_BASE + LOW_SIZE), (uint64_t)-1);
	EXPECT_EQ(walk(ld.l.pml4, PLOAD_DIRECT_MAP + LOW_BASE - 1), (uint64_t)-1);
	EXPECT_EQ(walk(ld.l.pml4, PLOAD_DIRECT_MAP + HIGH_BASE + 0x12345678),
		  HIGH_BASE + 0x12345678);
	EXPECT_EQ(walk(ld.l.pml4, PLOAD_DIRECT_MAP + HIGH_BASE + HIGH_SIZE - 1),
		  HIGH_BASE + HIGH_SIZE - 1);
	EXPECT_EQ(walk(ld.l.pml4, PLOAD_DIRECT_MAP + HIGH_BASE + HIGH_SIZE), (uint64_t)-1);
	EXPECT(ld.l.pml4 < 0x100000000ull);
	/* The channel is cleared, whatever the memory held. */
	EXPECT_EQ(*(uint32_t *)fake_phys(NULL, ld.l.chan_base, 4), 0);
	EXPECT_EQ(*(uint8_t *)fake_phys(NULL, ld.l.chan_base + ld.l.chan_size - 1, 1), 0);
}

HTEST(pload, boot_description)
{
	static struct bootdesc bd;
	const fdt64_t *kern;
	const void *fdt;
	char err[256];
	int len;

	if (load_synth(3)) {
		EXPECT(0);
		return;
	}
	fdt = fake_phys(NULL, ld.l.fdt, PLOAD_FDT_SIZE);
	EXPECT_EQ(bootdesc_parse(fdt, PLOAD_FDT_SIZE, &bd, err, sizeof(err)), 0);
	EXPECT_EQ(bd.tsc_hz, 2500000000ull);
	EXPECT_EQ(bd.wallclock_offset_ns, 12345);
	EXPECT_EQ(bd.n_memory, 2);
	EXPECT_EQ(bd.memory[0].base, LOW_BASE);
	EXPECT_EQ(bd.memory[1].size, HIGH_SIZE);
	EXPECT(bd.n_reserved >= 1);
	EXPECT_EQ(bd.reserved[0].base, ld.l.base);
	EXPECT_EQ(bd.reserved[0].size, ld.l.fdt + PLOAD_FDT_SIZE - ld.l.base);
	EXPECT_EQ(bd.trampoline.base, TRAMP_PAGE);
	EXPECT_EQ(bd.trampoline.size, 4096);
	EXPECT_EQ(bd.channel.base, ld.l.chan_base);
	EXPECT_EQ(bd.channel.size, PLOAD_CHAN_SIZE);
	EXPECT(bd.has_notify_ipi);
	EXPECT_EQ(bd.notify_vector, 0xec);
	EXPECT_EQ(bd.notify_apic_id, 1);
	EXPECT_EQ(bd.n_cpus, 3);
	EXPECT_EQ(bd.cpu_apic_id[0], 4);
	EXPECT_EQ(bd.cpu_apic_id[2], 8);
	EXPECT(!strcmp(bd.bootargs, "loglevel=debug"));
	kern = fdt_getprop(fdt, 0, LWK_BD_KERNEL, &len);
	EXPECT(kern && len == 16);
	if (kern) {
		EXPECT_EQ(fdt64_to_cpu(kern[0]), ld.l.base);
		EXPECT_EQ(fdt64_to_cpu(kern[1]), ld.k.span);
	}
	/* No console and no QEMU exit port beside Linux. */
	EXPECT(!fdt_getprop(fdt, 0, LWK_BD_UART_PORT, &len));
	EXPECT(!fdt_getprop(fdt, 0, LWK_BD_EXIT_PORT, &len));
}

HTEST(pload, no_doorbell)
{
	static struct bootdesc bd;
	struct pload_opts o = { 0 };
	char err[256];

	synth_build(1);
	mem_fresh();
	info_fill(&ld.info, 2);
	ld.info.doorbell_vector = 0;
	EXPECT_EQ(pload_parse(&synth, sizeof(synth), &ld.k, err, sizeof(err)), 0);
	EXPECT_EQ(pload_place(&ld.k, &ld.info, &ld.l, err, sizeof(err)), 0);
	EXPECT_EQ(pload_load(&ld.k, &ld.info, &o, &fake_mem, &ld.l, ld.page, err, sizeof(err)), 0);
	EXPECT_EQ(bootdesc_parse(fake_phys(NULL, ld.l.fdt, PLOAD_FDT_SIZE), PLOAD_FDT_SIZE, &bd,
				 err, sizeof(err)),
		  0);
	EXPECT(!bd.has_notify_ipi);
	EXPECT_EQ(bd.bootargs[0], 0);
	ld.info.ncpus = 0;
	EXPECT_EQ(pload_load(&ld.k, &ld.info, &o, &fake_mem, &ld.l, ld.page, err, sizeof(err)),
		  -EINVAL);
}

HTEST(pload, trampoline_page)
{
	const struct lwk_trampoline_params *p;

	if (load_synth(2)) {
		EXPECT(0);
		return;
	}
	p = (const void *)(ld.page + LWK_TRAMPOLINE_PARAMS_OFFSET);
	EXPECT(!memcmp(ld.page, synth.text + 0x1000, 0x100));
	EXPECT_EQ(ld.page[0x100], 0);
	EXPECT_EQ(p->magic, LWK_TRAMPOLINE_MAGIC);
	EXPECT_EQ(p->cr3, ld.l.pml4);
	EXPECT_EQ(p->far_offset, TRAMP_PAGE + 0x40);
	EXPECT_EQ(p->far_selector, 8);
	EXPECT_EQ(p->gdt[0], 0);
	EXPECT_EQ(p->gdt[1], 0x00af9a000000ffffull);
	EXPECT_EQ(p->gdt[2], 0x00cf92000000ffffull);
	EXPECT_EQ(p->gdt_limit, 23);
	EXPECT_EQ(p->gdt_base, TRAMP_PAGE + LWK_TRAMPOLINE_PARAMS_OFFSET + 24);
	EXPECT_EQ(p->started, 0);
	EXPECT_EQ(p->entry, VMA + 0x200100);
	EXPECT_EQ(p->stack_top, VMA + 0x207000);
	EXPECT_EQ(p->arg, ld.l.fdt);
	/* The far jump lands on trampoline_long through the identity map. */
	EXPECT_EQ(walk(ld.l.pml4, p->far_offset), TRAMP_PAGE + 0x40);
	EXPECT_EQ(walk(ld.l.pml4, p->stack_top - 8), ld.l.base + 0x7000 - 8);
}

HTEST(pload, wallclock)
{
	/* 1 GHz: TSC ticks are nanoseconds. */
	EXPECT_EQ(pload_wallclock_offset(5000000000ull, 1000000000ull, 1000000), 4000000000ull);
	/* 2.5 GHz, 10 s of TSC. */
	EXPECT_EQ(pload_wallclock_offset(1700000000000000000ull, 25000000000ull, 2500000),
		  1700000000000000000ull - 10000000000ull);
	/* A TSC far along does not overflow. */
	EXPECT_EQ(pload_wallclock_offset(1700000000000000000ull, 1ull << 60, 3000000),
		  1700000000000000000ull -
		      (uint64_t)(((unsigned __int128)1 << 60) * 1000000 / 3000000));
}

/* The real kernel, once it carries partition_entry: the same checks. */
HTEST(pload, real_kernel)
{
	struct pload_opts o = { .bootargs = "" };
	static struct bootdesc bd;
	char err[256];
	struct stat st;
	uint8_t *elf;
	FILE *f = fopen("build/lwk.elf", "rb");
	int r;

	if (!f)
		return; /* not built: the synthetic tests stand */
	if (fstat(fileno(f), &st) || !(elf = malloc((size_t)st.st_size)) ||
	    fread(elf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fclose(f);
		EXPECT(!"read build/lwk.elf");
		return;
	}
	fclose(f);
	r = pload_parse(elf, (size_t)st.st_size, &ld.k, err, sizeof(err));
	if (r) {
		/* A kernel from before partition mode: named, not crashed on. */
		EXPECT_STR_CONTAINS(err, "no symbol");
		free(elf);
		return;
	}
	mem_fresh();
	info_fill(&ld.info, 2);
	EXPECT_EQ(pload_place(&ld.k, &ld.info, &ld.l, err, sizeof(err)), 0);
	EXPECT_EQ(pload_load(&ld.k, &ld.info, &o, &fake_mem, &ld.l, ld.page, err, sizeof(err)), 0);
	EXPECT_EQ(walk(ld.l.pml4, ld.k.entry), ld.l.base + (ld.k.entry - VMA - 0x200000));
	EXPECT_EQ(bootdesc_parse(fake_phys(NULL, ld.l.fdt, PLOAD_FDT_SIZE), PLOAD_FDT_SIZE, &bd,
				 err, sizeof(err)),
		  0);
	EXPECT(!memcmp(ld.page,
		       fake_phys(NULL, ld.l.base + (ld.k.tramp_start - VMA - 0x200000),
				 ld.k.tramp_end - ld.k.tramp_start),
		       ld.k.tramp_end - ld.k.tramp_start));
	free(elf);
}

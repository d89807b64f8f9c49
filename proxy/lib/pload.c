// SPDX-License-Identifier: GPL-2.0-only
/*
 * The partition loader (pload.h): places the LWK kernel image, its boot
 * page tables and its boot description in memory lwk.ko reserved, and
 * builds the trampoline page that starts the boot core on them. Every
 * offset, size and symbol of the ELF file is checked before use: the file
 * is whatever --kernel named.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <uapi/arch/trampoline.h>
#include <uapi/lwk/abi.h>
#include <uapi/lwk/bootdesc.h>
#include "pload.h"

#define PAGE 0x1000ull
#define MB2 0x200000ull
#define GB1 0x40000000ull
#define GB512 0x8000000000ull
#define LOW_LIMIT 0x100000000ull /* the trampoline loads CR3 in 32-bit mode */
#define MAX_SPAN GB1		 /* the kernel's window is 2 GiB; far more than enough */
#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_PS 0x80ull
#define PTE_ADDR 0x000ffffffffff000ull

#define ROUND_UP(x, a) (((x) + (a)-1) & ~((a)-1))

static int fail(char *err, size_t errlen, int e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return e;
}

/* ---- the ELF file ------------------------------------------------------- */

static int has(size_t len, uint64_t off, uint64_t size)
{
	return off <= len && size <= len - off;
}

static int elf_header_check(const struct pload_kernel *k, const Elf64_Ehdr **out, char *err,
			    size_t errlen)
{
	const Elf64_Ehdr *eh = (const void *)k->elf;

	if (k->len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return fail(err, errlen, -ENOEXEC, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
		return fail(err, errlen, -ENOEXEC,
			    "not an x86_64 executable ELF file (an LWK kernel image is one)");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum ||
	    !has(k->len, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
		return fail(err, errlen, -ENOEXEC, "its program headers lie outside the file");
	*out = eh;
	return 0;
}

/* One PT_LOAD: linked at KERNEL_VMA + its physical address, from 2 MiB on. */
static int segment_check(const struct pload_kernel *k, const Elf64_Phdr *ph, unsigned int i,
			 char *err, size_t errlen)
{
	if (ph->p_paddr < PLOAD_LINK_PHYS || ph->p_paddr >= PLOAD_LINK_PHYS + MAX_SPAN ||
	    ph->p_memsz > MAX_SPAN || ph->p_vaddr != ph->p_paddr + PLOAD_KERNEL_VMA)
		return fail(err, errlen, -ENOEXEC,
			    "segment %u (virtual 0x%" PRIx64 ", physical 0x%" PRIx64
			    ") is not linked as an LWK kernel is (at 0x%llx + its physical "
			    "address, from 2 MiB)",
			    i, (uint64_t)ph->p_vaddr, (uint64_t)ph->p_paddr,
			    (unsigned long long)PLOAD_KERNEL_VMA);
	if (ph->p_filesz > ph->p_memsz || !has(k->len, ph->p_offset, ph->p_filesz))
		return fail(err, errlen, -ENOEXEC, "segment %u lies outside the file", i);
	return 0;
}

static int segments_scan(struct pload_kernel *k, const Elf64_Ehdr *eh, char *err, size_t errlen)
{
	const Elf64_Phdr *ph = (const void *)(k->elf + eh->e_phoff);
	uint64_t end = 0;
	int r;

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		r = segment_check(k, &ph[i], i, err, errlen);
		if (r)
			return r;
		if (ph[i].p_paddr + ph[i].p_memsz > end)
			end = ph[i].p_paddr + ph[i].p_memsz;
	}
	if (!end)
		return fail(err, errlen, -ENOEXEC, "it has nothing to load");
	k->span = ROUND_UP(end - PLOAD_LINK_PHYS, PAGE);
	if (k->span > MAX_SPAN)
		return fail(err, errlen, -ENOEXEC, "its image spans more than 1 GiB");
	return 0;
}

struct want_sym {
	const char *name;
	uint64_t *out;
};

static int symtab_find(const struct pload_kernel *k, const Elf64_Ehdr *eh, const Elf64_Shdr **sym,
		       const Elf64_Shdr **str)
{
	const Elf64_Shdr *sh = (const void *)(k->elf + eh->e_shoff);

	if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !has(k->len, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
		return -1;
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum ||
		    sh[i].sh_entsize != sizeof(Elf64_Sym) ||
		    !has(k->len, sh[i].sh_offset, sh[i].sh_size) ||
		    !has(k->len, sh[sh[i].sh_link].sh_offset, sh[sh[i].sh_link].sh_size))
			continue;
		*sym = &sh[i];
		*str = &sh[sh[i].sh_link];
		return 0;
	}
	return -1;
}

static int symbols_read(struct pload_kernel *k, const Elf64_Ehdr *eh, char *err, size_t errlen)
{
	const struct want_sym want[] = {
		{ "trampoline_start", &k->tramp_start }, { "trampoline_long", &k->tramp_long },
		{ "trampoline_end", &k->tramp_end },	 { "partition_entry", &k->entry },
		{ "boot_stack_top", &k->stack_top },
	};
	const Elf64_Shdr *sym, *str;
	const Elf64_Sym *s;
	const char *names;
	uint64_t n;

	if (symtab_find(k, eh, &sym, &str))
		return fail(err, errlen, -ENOEXEC,
			    "it has no symbol table (.symtab); do not strip the kernel image");
	s = (const void *)(k->elf + sym->sh_offset);
	names = (const char *)(k->elf + str->sh_offset);
	n = sym->sh_size / sizeof(*s);
	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++)
		*want[w].out = 0;
	for (uint64_t i = 0; i < n; i++) {
		const char *name = names + s[i].st_name;
		size_t room = s[i].st_name < str->sh_size ? str->sh_size - s[i].st_name : 0;

		for (size_t w = 0; room && w < sizeof(want) / sizeof(want[0]); w++)
			if (strnlen(name, room) < room && !strcmp(name, want[w].name) &&
			    s[i].st_shndx != SHN_UNDEF)
				*want[w].out = s[i].st_value;
	}
	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++)
		if (!*want[w].out)
			return fail(err, errlen, -ENOEXEC,
				    "it has no symbol '%s': not an LWK kernel that can boot in "
				    "partition mode (rebuild it with 'make')",
				    want[w].name);
	return 0;
}

static int in_image(const struct pload_kernel *k, uint64_t va)
{
	uint64_t lo = PLOAD_KERNEL_VMA + PLOAD_LINK_PHYS;

	return va >= lo && va - lo < k->span;
}

static int symbols_check(const struct pload_kernel *k, char *err, size_t errlen)
{
	if (!in_image(k, k->tramp_start) || !in_image(k, k->tramp_end - 1) ||
	    k->tramp_long <= k->tramp_start || k->tramp_end <= k->tramp_long ||
	    k->tramp_end - k->tramp_start > LWK_TRAMPOLINE_PARAMS_OFFSET)
		return fail(err, errlen, -ENOEXEC,
			    "its trampoline (0x%" PRIx64 "..0x%" PRIx64
			    ") is not a piece of the image shorter than 0x%x bytes",
			    k->tramp_start, k->tramp_end, LWK_TRAMPOLINE_PARAMS_OFFSET);
	if (!in_image(k, k->entry) || !in_image(k, k->stack_top - 1))
		return fail(err, errlen, -ENOEXEC,
			    "its partition_entry or boot_stack_top lies outside the image");
	return 0;
}

int pload_parse(const void *elf, size_t len, struct pload_kernel *k, char *err, size_t errlen)
{
	const Elf64_Ehdr *eh = NULL;
	int r;

	memset(k, 0, sizeof(*k));
	k->elf = elf;
	k->len = len;
	r = elf_header_check(k, &eh, err, errlen);
	if (!r)
		r = segments_scan(k, eh, err, errlen);
	if (!r)
		r = symbols_read(k, eh, err, errlen);
	if (!r)
		r = symbols_check(k, err, errlen);
	return r;
}

/* ---- placing ------------------------------------------------------------ */

/* Page-table pages the loader may need with @mem bytes in at most
 * LWK_DEV_MAX_RANGES ranges: PML4; identity PDPT + PD; the kernel's PDPT
 * and PDs; a PDPT per 512 GiB and a PD per 1 GiB touched by each range. */
static uint64_t tables_max(uint64_t span, uint64_t mem)
{
	return 1 + 2 + 1 + (span / GB1 + 2) + (LWK_DEV_MAX_RANGES + mem / GB512 + 1) +
	       (LWK_DEV_MAX_RANGES + mem / GB1 + 1);
}

static uint64_t low_span(uint64_t span, uint64_t ntables)
{
	return ROUND_UP(span + ntables * PAGE + PLOAD_FDT_SIZE + PLOAD_CHAN_SIZE, MB2);
}

uint64_t pload_low_min(const struct pload_kernel *k, uint64_t mem)
{
	return low_span(k->span, tables_max(k->span, mem));
}

/* The 1 GiB (@shift 30) or 512 GiB (39) regions [base, base + size) touches. */
static uint64_t regions(uint64_t base, uint64_t size, int shift)
{
	return ((base + size - 1) >> shift) - (base >> shift) + 1;
}

/* The pages the tables of @info's ranges take, at most (two ranges may
 * share a table): never more than tables_max() for the same memory. */
static uint64_t tables_for(const struct pload_kernel *k, const struct lwk_ioc_info *info)
{
	uint64_t n =
	    1 + 2 + 1 + regions(PLOAD_KERNEL_VMA + PLOAD_LINK_PHYS, ROUND_UP(k->span, MB2), 30);

	for (unsigned int i = 0; i < info->nranges; i++)
		n += regions(info->range[i].base, info->range[i].size, 39) +
		     regions(info->range[i].base, info->range[i].size, 30);
	return n;
}

int pload_place(const struct pload_kernel *k, const struct lwk_ioc_info *info,
		struct pload_layout *l, char *err, size_t errlen)
{
	unsigned int n = info->nranges;
	uint64_t need;

	memset(l, 0, sizeof(*l));
	if (n == 0 || n > LWK_DEV_MAX_RANGES)
		return fail(err, errlen, -EINVAL, "the module reports %u memory ranges", n);
	for (unsigned int i = 0; i < n; i++) {
		const struct lwk_dev_range *r = &info->range[i];

		if ((r->base | r->size) & (MB2 - 1) || !r->size || r->base + r->size < r->base)
			return fail(err, errlen, -EINVAL,
				    "the module reports range %u (0x%" PRIx64 ", size 0x%" PRIx64
				    ") that is not whole 2 MiB pages",
				    i, r->base, r->size);
	}
	need = low_span(k->span, tables_for(k, info));
	for (unsigned int i = 0; i < n && !l->base; i++) {
		const struct lwk_dev_range *r = &info->range[i];

		if (r->base >= MB2 && r->size >= need && r->base + need <= LOW_LIMIT)
			l->base = r->base;
	}
	if (!l->base)
		return fail(err, errlen, -ENOSPC,
			    "no reserved range has the %" PRIu64
			    " MiB below 4 GiB the kernel, its tables and the channel need; "
			    "the module should have found one (low_min)",
			    need >> 20);
	l->tables = l->pml4 = l->base + k->span;
	l->ntables = tables_for(k, info);
	l->fdt = l->tables + l->ntables * PAGE;
	l->chan_base = l->fdt + PLOAD_FDT_SIZE;
	l->chan_size = PLOAD_CHAN_SIZE;
	l->end = l->base + need;
	return 0;
}

/* ---- loading ------------------------------------------------------------ */

static int load_segments(const struct pload_kernel *k, const struct pload_mem *m,
			 const struct pload_layout *l, char *err, size_t errlen)
{
	const Elf64_Ehdr *eh = (const void *)k->elf;
	const Elf64_Phdr *ph = (const void *)(k->elf + eh->e_phoff);
	uint8_t *image = m->phys(m->ctx, l->base, k->span);

	if (!image)
		return fail(err, errlen, -EFAULT, "cannot reach the kernel's memory at 0x%" PRIx64,
			    l->base);
	memset(image, 0, k->span); /* bss, and the gaps between segments */
	for (unsigned int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_memsz)
			memcpy(image + (ph[i].p_paddr - PLOAD_LINK_PHYS), k->elf + ph[i].p_offset,
			       ph[i].p_filesz);
	return 0;
}

struct pt {
	const struct pload_mem *m;
	uint64_t next, end; /* free table pages */
};

static uint64_t *pt_at(const struct pt *t, uint64_t pa)
{
	return t->m->phys(t->m->ctx, pa, PAGE);
}

/* The next-level table behind @e, made if missing; 0 if out of pages. */
static uint64_t pt_next(struct pt *t, uint64_t *e)
{
	if (!(*e & PTE_P)) {
		if (t->next >= t->end)
			return 0;
		*e = t->next | PTE_P | PTE_W;
		t->next += PAGE;
	}
	return *e & PTE_ADDR;
}

static int pt_map_2m(struct pt *t, uint64_t pml4, uint64_t va, uint64_t pa)
{
	uint64_t table = pml4;

	for (int shift = 39; shift > 21; shift -= 9) {
		uint64_t *tbl = pt_at(t, table);

		table = tbl ? pt_next(t, &tbl[(va >> shift) & 511]) : 0;
		if (!table)
			return -1;
	}
	uint64_t *pd = pt_at(t, table);

	if (!pd)
		return -1;
	pd[(va >> 21) & 511] = pa | PTE_P | PTE_W | PTE_PS;
	return 0;
}

static int pt_map(struct pt *t, uint64_t pml4, uint64_t va, uint64_t pa, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += MB2)
		if (pt_map_2m(t, pml4, va + off, pa + off))
			return -1;
	return 0;
}

static int build_tables(const struct pload_kernel *k, const struct lwk_ioc_info *info,
			const struct pload_mem *m, const struct pload_layout *l, char *err,
			size_t errlen)
{
	struct pt t = { .m = m, .next = l->tables + PAGE, .end = l->tables + l->ntables * PAGE };
	uint8_t *area = m->phys(m->ctx, l->tables, l->ntables * PAGE);
	int r;

	if (!area)
		return fail(err, errlen, -EFAULT, "cannot reach the page tables' memory");
	memset(area, 0, l->ntables * PAGE);
	r = pt_map(&t, l->pml4, 0, 0, MB2);
	if (!r)
		r = pt_map(&t, l->pml4, PLOAD_KERNEL_VMA + PLOAD_LINK_PHYS, l->base,
			   ROUND_UP(k->span, MB2));
	for (unsigned int i = 0; !r && i < info->nranges; i++)
		r = pt_map(&t, l->pml4, PLOAD_DIRECT_MAP + info->range[i].base, info->range[i].base,
			   info->range[i].size);
	if (r)
		return fail(err, errlen, -ENOSPC,
			    "the boot page tables need more than the %" PRIu64 " pages set aside",
			    l->ntables);
	return 0;
}

static int fdt_put_pairs(void *fdt, const char *name, const uint64_t *v, unsigned int n)
{
	fdt64_t *val;
	int e = fdt_property_placeholder(fdt, name, (int)(n * sizeof(*val)), (void **)&val);

	for (unsigned int i = 0; !e && i < n; i++) {
		fdt64_t x = cpu_to_fdt64(v[i]);

		memcpy(&val[i], &x, sizeof(x));
	}
	return e;
}

static int fdt_put_range(void *fdt, const char *name, uint64_t base, uint64_t size)
{
	uint64_t v[2] = { base, size };

	return fdt_put_pairs(fdt, name, v, 2);
}

static int fdt_put_memory(void *fdt, const struct lwk_ioc_info *info)
{
	uint64_t v[2 * LWK_DEV_MAX_RANGES];

	for (unsigned int i = 0; i < info->nranges; i++) {
		v[2 * i] = info->range[i].base;
		v[2 * i + 1] = info->range[i].size;
	}
	return fdt_put_pairs(fdt, LWK_BD_MEMORY, v, 2 * info->nranges);
}

static int fdt_put_root(void *fdt, const struct pload_kernel *k, const struct lwk_ioc_info *info,
			const struct pload_opts *o, const struct pload_layout *l)
{
	int e = fdt_property_string(fdt, "compatible", LWK_BD_COMPATIBLE);

	if (!e)
		e = fdt_property_u32(fdt, LWK_BD_ABI_VERSION, LWK_ABI_VERSION);
	if (!e)
		e = fdt_property_u64(fdt, LWK_BD_TSC_HZ, (uint64_t)info->tsc_khz * 1000);
	if (!e)
		e = fdt_property_u64(fdt, LWK_BD_WALLCLOCK, o->wallclock_offset_ns);
	if (!e)
		e = fdt_put_memory(fdt, info);
	if (!e)
		e = fdt_put_range(fdt, LWK_BD_RESERVED, l->base, l->fdt + PLOAD_FDT_SIZE - l->base);
	if (!e)
		e = fdt_put_range(fdt, LWK_BD_KERNEL, l->base, k->span);
	if (!e)
		e = fdt_put_range(fdt, LWK_BD_TRAMPOLINE, info->trampoline, LWK_DEV_PAGE);
	if (!e)
		e = fdt_put_range(fdt, LWK_BD_CHANNEL, l->chan_base, l->chan_size);
	if (!e && info->doorbell_vector) {
		fdt32_t ipi[2] = { cpu_to_fdt32(info->doorbell_vector),
				   cpu_to_fdt32(info->doorbell_apic_id) };

		e = fdt_property(fdt, LWK_BD_NOTIFY_IPI, ipi, sizeof(ipi));
	}
	return e;
}

static int fdt_put_nodes(void *fdt, const struct lwk_ioc_info *info, const char *bootargs)
{
	int e = fdt_begin_node(fdt, LWK_BD_CHOSEN + 1);

	if (!e)
		e = fdt_property_string(fdt, LWK_BD_BOOTARGS, bootargs);
	if (!e)
		e = fdt_end_node(fdt);
	if (!e)
		e = fdt_begin_node(fdt, LWK_BD_CPUS + 1);
	if (!e)
		e = fdt_property_u32(fdt, "#address-cells", 1);
	if (!e)
		e = fdt_property_u32(fdt, "#size-cells", 0);
	for (unsigned int i = 0; !e && i < info->ncpus; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%u", i);
		e = fdt_begin_node(fdt, name);
		if (!e)
			e = fdt_property_u32(fdt, LWK_BD_CPU_REG, info->apic_id[i]);
		if (!e)
			e = fdt_end_node(fdt);
	}
	if (!e)
		e = fdt_end_node(fdt);
	return e;
}

static int write_fdt(const struct pload_kernel *k, const struct lwk_ioc_info *info,
		     const struct pload_opts *o, const struct pload_mem *m,
		     const struct pload_layout *l, char *err, size_t errlen)
{
	const char *args = o->bootargs ? o->bootargs : "";
	void *fdt = m->phys(m->ctx, l->fdt, PLOAD_FDT_SIZE);
	int e;

	if (!fdt)
		return fail(err, errlen, -EFAULT, "cannot reach the boot description's memory");
	if (strlen(args) >= LWK_BD_MAX_BOOTARGS)
		return fail(err, errlen, -E2BIG, "the kernel command line is longer than %d bytes",
			    LWK_BD_MAX_BOOTARGS - 1);
	e = fdt_create(fdt, (int)PLOAD_FDT_SIZE);
	if (!e)
		e = fdt_finish_reservemap(fdt);
	if (!e)
		e = fdt_begin_node(fdt, "");
	if (!e)
		e = fdt_put_root(fdt, k, info, o, l);
	if (!e)
		e = fdt_put_nodes(fdt, info, args);
	if (!e)
		e = fdt_end_node(fdt);
	if (!e)
		e = fdt_finish(fdt);
	if (e)
		return fail(err, errlen, -ENOSPC, "cannot write the boot description: %s",
			    fdt_strerror(e));
	return 0;
}

/* As the kernel's own tramp_prepare (arch/x86_64/smp.c) fills it for an
 * AP, but for the boot core: our tables, partition_entry(bootdesc). */
static int build_trampoline(const struct pload_kernel *k, const struct lwk_ioc_info *info,
			    const struct pload_mem *m, const struct pload_layout *l, uint8_t *page,
			    char *err, size_t errlen)
{
	uint64_t len = k->tramp_end - k->tramp_start;
	const uint8_t *code =
	    m->phys(m->ctx, l->base + (k->tramp_start - PLOAD_KERNEL_VMA - PLOAD_LINK_PHYS), len);
	struct lwk_trampoline_params p = { .magic = LWK_TRAMPOLINE_MAGIC };

	if (!code)
		return fail(err, errlen, -EFAULT, "cannot reach the loaded trampoline code");
	if (info->trampoline & (PAGE - 1) || info->trampoline >= 0x100000)
		return fail(err, errlen, -EINVAL,
			    "the module's trampoline page 0x%" PRIx64 " is not a page below 1 MiB",
			    info->trampoline);
	memset(page, 0, LWK_DEV_PAGE);
	memcpy(page, code, len);
	p.cr3 = (uint32_t)l->pml4;
	p.far_offset = (uint32_t)(info->trampoline + (k->tramp_long - k->tramp_start));
	p.far_selector = PLOAD_GDT_KERNEL_CODE;
	p.gdt[1] = 0x00af9a000000ffffull; /* 64-bit code */
	p.gdt[2] = 0x00cf92000000ffffull; /* data */
	p.gdt_limit = sizeof(p.gdt) - 1;
	p.gdt_base = (uint32_t)(info->trampoline + LWK_TRAMPOLINE_PARAMS_OFFSET +
				__builtin_offsetof(struct lwk_trampoline_params, gdt));
	p.entry = k->entry;
	p.stack_top = k->stack_top;
	p.arg = l->fdt;
	memcpy(page + LWK_TRAMPOLINE_PARAMS_OFFSET, &p, sizeof(p));
	return 0;
}

int pload_load(const struct pload_kernel *k, const struct lwk_ioc_info *info,
	       const struct pload_opts *o, const struct pload_mem *m, const struct pload_layout *l,
	       uint8_t page[LWK_DEV_PAGE], char *err, size_t errlen)
{
	uint8_t *chan;
	int r;

	if (info->ncpus == 0 || info->ncpus > LWK_DEV_MAX_CPUS || info->ncpus > LWK_BD_MAX_CPUS)
		return fail(err, errlen, -EINVAL, "the module reports %u cores", info->ncpus);
	if (l->pml4 + PAGE > LOW_LIMIT)
		return fail(err, errlen, -EINVAL, "the page tables must lie below 4 GiB");
	r = load_segments(k, m, l, err, errlen);
	if (!r)
		r = build_tables(k, info, m, l, err, errlen);
	if (!r)
		r = write_fdt(k, info, o, m, l, err, errlen);
	if (!r)
		r = build_trampoline(k, info, m, l, page, err, errlen);
	if (r)
		return r;
	/* Memory is not cleared when Linux hands it over: a header left by an
	 * earlier boot must not pass for this one's. */
	chan = m->phys(m->ctx, l->chan_base, l->chan_size);
	if (!chan)
		return fail(err, errlen, -EFAULT, "cannot reach the channel's memory");
	memset(chan, 0, l->chan_size);
	return 0;
}

uint64_t pload_wallclock_offset(uint64_t realtime_ns, uint64_t tsc, uint32_t tsc_khz)
{
	unsigned __int128 tsc_ns = tsc_khz ? (unsigned __int128)tsc * 1000000u / tsc_khz : 0;

	return tsc_ns > realtime_ns ? 0 : realtime_ns - (uint64_t)tsc_ns;
}

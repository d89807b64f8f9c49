// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of the ELF loader against real programs: tests/rules.mk builds
 * tests/host/fixtures/hello.c static, static-pie and as a dynamic PIE, and
 * /bin/true stands for a distribution binary. The facts asserted here were
 * read off `readelf -lW` of those files. Bad input is a good binary with one
 * thing broken, which must be refused with a message that names it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include "htest.h"
#include <elf_loader.h>
#include <lwk/types.h>
#include <lwk/errno.h>

#ifndef ELF_FIXTURE_DIR
#define ELF_FIXTURE_DIR "build/host/fixtures"
#endif
#define STATIC ELF_FIXTURE_DIR "/hello-static"
#define STATIC_PIE ELF_FIXTURE_DIR "/hello-static-pie"
#define DYNAMIC ELF_FIXTURE_DIR "/hello-dynamic"
#define DEBIAN_TRUE "/bin/true"
#define LD_SO "/lib64/ld-linux-x86-64.so.2"

#define PAGE 4096ull
#define PIE_BIAS 0x100000000000ull
#define INTERP_BIAS 0x180000000000ull
#define STALE 0xaa /* what "memory" holds before the loader fills it */
#define PT_NOTE 4

struct file {
	uint8_t *data;
	size_t size;
};

static char err[256];

/* The whole file in a buffer of exactly its size, so ASan sees any overread. */
static struct file file_read(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct file f;

	if (!fp) {
		printf("  cannot open %s (make builds it; run from the repository root)\n", path);
		abort();
	}
	fseek(fp, 0, SEEK_END);
	f.size = ftell(fp);
	rewind(fp);
	f.data = malloc(f.size);
	if (!f.data || fread(f.data, 1, f.size, fp) != f.size)
		abort();
	fclose(fp);
	return f;
}

static struct elf64_ehdr *ehdr(struct file *f)
{
	return (struct elf64_ehdr *)f->data;
}

static struct elf64_phdr *phdr(struct file *f, unsigned int i)
{
	return (struct elf64_phdr *)(f->data + ehdr(f)->e_phoff) + i;
}

/* The @n-th program header of @type, straight from the file. */
static struct elf64_phdr *nth_phdr(struct file *f, uint32_t type, unsigned int n)
{
	for (unsigned int i = 0; i < ehdr(f)->e_phnum; i++)
		if (phdr(f, i)->p_type == type && n-- == 0)
			return phdr(f, i);
	printf("  test setup: no program header %u of type 0x%x\n", n, type);
	abort();
}

static int parse(struct file *f, struct elf_image *img)
{
	err[0] = '\0';
	return elf_parse(f->data, f->size, img, err, sizeof(err));
}

/*
 * What all four fixtures share (readelf -lW): PT_LOADs R, R E, R, RW with
 * bss in the last; RELRO starting at the RW load; GNU_STACK RW.
 */
static void expect_common(struct file *f, const struct elf_image *img)
{
	static const unsigned int prot[] = { ELF_PROT_READ, ELF_PROT_READ | ELF_PROT_EXEC,
					     ELF_PROT_READ, ELF_PROT_READ | ELF_PROT_WRITE };
	const struct elf_segment *last = &img->loads[3];

	EXPECT_EQ(img->nloads, 4);
	for (unsigned int n = 0; n < 4; n++) {
		const struct elf64_phdr *ph = nth_phdr(f, PT_LOAD, n);

		EXPECT_EQ(img->loads[n].vaddr, ph->p_vaddr);
		EXPECT_EQ(img->loads[n].offset, ph->p_offset);
		EXPECT_EQ(img->loads[n].filesz, ph->p_filesz);
		EXPECT_EQ(img->loads[n].memsz, ph->p_memsz);
		EXPECT_EQ(img->loads[n].align, PAGE);
		EXPECT_EQ(img->loads[n].prot, prot[n]);
	}
	EXPECT(last->memsz > last->filesz);
	EXPECT_EQ(img->lo, img->loads[0].vaddr);
	EXPECT_EQ(img->hi, ALIGN_UP(last->vaddr + last->memsz, PAGE));
	EXPECT_EQ(img->entry, ehdr(f)->e_entry);
	EXPECT_EQ(img->phoff, 64);
	EXPECT_EQ(img->phnum, ehdr(f)->e_phnum);
	EXPECT_EQ(img->phentsize, 56);
	EXPECT(!img->exec_stack);
	EXPECT(img->has_relro);
	EXPECT_EQ(img->relro_vaddr, last->vaddr);
	EXPECT_EQ(img->relro_memsz, nth_phdr(f, PT_GNU_RELRO, 0)->p_memsz);
}

HTEST(elf, parse_static)
{
	struct file f = file_read(STATIC);
	struct elf_image img;

	EXPECT_EQ(parse(&f, &img), 0);
	expect_common(&f, &img);
	EXPECT(!img.pie);
	EXPECT(!img.interp);
	EXPECT_EQ(img.lo, 0x400000);
	EXPECT_EQ(img.loads[1].vaddr, 0x401000);
	EXPECT_EQ(img.loads[1].offset, 0x1000);
	EXPECT_EQ(img.phnum, 10);
	/* No PT_PHDR: the headers are found in the first load, at 0x400000 + 64. */
	EXPECT(!img.has_phdr);
	EXPECT_EQ(img.phdr_vaddr, 0x400040);
	/* glibc's TLS plus hello.c's 4 + 256 bytes, in the RW load. */
	EXPECT(img.has_tls);
	EXPECT_EQ(img.tls.vaddr, img.loads[3].vaddr);
	EXPECT_EQ(img.tls.align, 16);
	EXPECT(img.tls.memsz >= img.tls.filesz + 256);
	free(f.data);
}

HTEST(elf, parse_static_pie)
{
	struct file f = file_read(STATIC_PIE);
	struct elf_image img;

	EXPECT_EQ(parse(&f, &img), 0);
	expect_common(&f, &img);
	EXPECT(img.pie);
	EXPECT(!img.interp);
	EXPECT_EQ(img.lo, 0);
	EXPECT_EQ(img.phnum, 12);
	EXPECT(!img.has_phdr);
	EXPECT_EQ(img.phdr_vaddr, 0x40);
	EXPECT(img.has_tls);
	EXPECT_EQ(img.tls.align, 16);
	free(f.data);
}

HTEST(elf, parse_dynamic)
{
	struct file f = file_read(DYNAMIC);
	struct elf_image img;

	EXPECT_EQ(parse(&f, &img), 0);
	expect_common(&f, &img);
	EXPECT(img.pie);
	EXPECT(img.interp && strcmp(img.interp, LD_SO) == 0);
	EXPECT_EQ(img.interp_len, strlen(LD_SO));
	EXPECT_EQ(img.lo, 0);
	EXPECT_EQ(img.phnum, 14);
	EXPECT(img.has_phdr);
	EXPECT_EQ(img.phdr_vaddr, 0x40);
	/* Only hello.c's TLS: int hello_calls, then int hello_scratch[64] 16-aligned. */
	EXPECT(img.has_tls);
	EXPECT_EQ(img.tls.vaddr, img.loads[3].vaddr);
	EXPECT_EQ(img.tls.filesz, 4);
	EXPECT_EQ(img.tls.memsz, 0x110);
	EXPECT_EQ(img.tls.align, 16);
	free(f.data);
}

HTEST(elf, parse_debian_true)
{
	struct file f = file_read(DEBIAN_TRUE);
	struct elf_image img;

	EXPECT_EQ(parse(&f, &img), 0);
	expect_common(&f, &img);
	EXPECT(img.pie);
	EXPECT(img.interp && strcmp(img.interp, LD_SO) == 0);
	EXPECT(img.has_phdr);
	EXPECT_EQ(img.phdr_vaddr, 0x40);
	EXPECT(!img.has_tls);
	free(f.data);
}

/* Process memory [base, base + size) stood for by a host buffer. */
struct memory {
	uint8_t *buf;
	uint64_t base;
	uint64_t size;
	unsigned int maps;
};

static void *memory_map(void *ctx, uint64_t va, uint64_t len)
{
	struct memory *m = ctx;

	m->maps++;
	if (va < m->base || len > m->size || va - m->base > m->size - len)
		return NULL;
	return m->buf + (va - m->base);
}

static struct memory memory_for(const struct elf_image *img, uint64_t bias)
{
	struct memory m = { .base = img->lo + bias, .size = img->hi - img->lo };

	m.buf = malloc(m.size);
	memset(m.buf, STALE, m.size);
	return m;
}

static bool all_bytes(const uint8_t *p, uint64_t len, uint8_t value)
{
	for (uint64_t i = 0; i < len; i++)
		if (p[i] != value)
			return false;
	return true;
}

/* File bytes, then zeros to the end of the last page; the page's head untouched. */
static void expect_segment_loaded(const struct memory *m, const struct file *f,
				  const struct elf_segment *seg, uint64_t bias)
{
	const uint8_t *mem = m->buf + (seg->vaddr + bias - m->base);
	uint64_t head = seg->vaddr % PAGE;
	uint64_t to_page_end = ALIGN_UP(seg->vaddr + seg->memsz, PAGE) - seg->vaddr;

	EXPECT(memcmp(mem, f->data + seg->offset, seg->filesz) == 0);
	EXPECT(all_bytes(mem + seg->filesz, to_page_end - seg->filesz, 0));
	EXPECT(all_bytes(mem - head, head, STALE));
}

static void expect_loads(const char *path, uint64_t bias)
{
	struct file f = file_read(path);
	struct elf_image img;
	struct memory m;

	EXPECT_EQ(parse(&f, &img), 0);
	m = memory_for(&img, bias);
	EXPECT_EQ(elf_load(&img, f.data, bias, memory_map, &m, err, sizeof(err)), 0);
	EXPECT_EQ(m.maps, img.nloads);
	for (unsigned int i = 0; i < img.nloads; i++)
		expect_segment_loaded(&m, &f, &img.loads[i], bias);
	free(m.buf);
	free(f.data);
}

HTEST(elf, load_static)
{
	expect_loads(STATIC, 0);
}

HTEST(elf, load_static_pie_at_bias)
{
	expect_loads(STATIC_PIE, PIE_BIAS);
}

HTEST(elf, load_dynamic_at_bias)
{
	expect_loads(DYNAMIC, PIE_BIAS);
}

HTEST(elf, load_debian_true_at_bias)
{
	expect_loads(DEBIAN_TRUE, PIE_BIAS);
}

/*
 * Two loads share a page, listed out of order: the lower one's bss tail
 * must be zeroed up to the higher one, not over it.
 */
HTEST(elf, load_shared_page_keeps_neighbour)
{
	struct file f = file_read(STATIC);
	struct elf64_phdr *lower = nth_phdr(&f, PT_LOAD, 2), *upper = nth_phdr(&f, PT_LOAD, 3);
	struct elf64_phdr tmp;
	struct elf_image img;
	struct memory m;
	uint64_t gap_end;

	upper->p_vaddr -= PAGE;
	gap_end = upper->p_vaddr;
	lower->p_filesz = ALIGN_DOWN(gap_end, PAGE) + gap_end % PAGE / 2 - lower->p_vaddr;
	lower->p_memsz = lower->p_filesz + 0x10;
	tmp = *lower;
	*lower = *upper;
	*upper = tmp;
	EXPECT_EQ(parse(&f, &img), 0);
	m = memory_for(&img, 0);
	EXPECT_EQ(elf_load(&img, f.data, 0, memory_map, &m, err, sizeof(err)), 0);
	EXPECT(memcmp(m.buf + (img.loads[2].vaddr - m.base), f.data + img.loads[2].offset,
		      img.loads[2].filesz) == 0);
	EXPECT(memcmp(m.buf + (img.loads[3].vaddr - m.base), f.data + img.loads[3].offset,
		      img.loads[3].filesz) == 0);
	EXPECT(all_bytes(m.buf + (img.loads[3].vaddr + img.loads[3].filesz - m.base),
			 gap_end - (img.loads[3].vaddr + img.loads[3].filesz), 0));
	free(m.buf);
	free(f.data);
}

HTEST(elf, load_refuses_bad_bias)
{
	struct file st = file_read(STATIC), dyn = file_read(DYNAMIC);
	struct elf_image s, d;
	struct memory none = { 0 };

	EXPECT_EQ(parse(&st, &s), 0);
	EXPECT_EQ(parse(&dyn, &d), 0);
	EXPECT_EQ(elf_load(&s, st.data, PIE_BIAS, memory_map, &none, err, sizeof(err)), -EINVAL);
	EXPECT_STR_CONTAINS(err, "fixed-address (ET_EXEC) program cannot be moved");
	EXPECT_EQ(elf_load(&d, dyn.data, PIE_BIAS + 0x10, memory_map, &none, err, sizeof(err)),
		  -EINVAL);
	EXPECT_STR_CONTAINS(err, "load bias 0x100000000010 is not page-aligned");
	EXPECT_EQ(elf_load(&d, dyn.data, ELF_USER_END - PAGE, memory_map, &none, err, sizeof(err)),
		  -EINVAL);
	EXPECT_STR_CONTAINS(err, "beyond user space");
	EXPECT_EQ(none.maps, 0);
	free(st.data);
	free(dyn.data);
}

HTEST(elf, load_reports_unmapped_memory)
{
	struct file f = file_read(DYNAMIC);
	struct elf_image img;
	struct memory none = { 0 };

	EXPECT_EQ(parse(&f, &img), 0);
	EXPECT_EQ(elf_load(&img, f.data, PIE_BIAS, memory_map, &none, err, sizeof(err)), -EFAULT);
	EXPECT_STR_CONTAINS(err, "no memory mapped at 0x100000000000+0x1000");
	EXPECT_EQ(none.maps, 1);
	free(f.data);
}

/* The initial stack as crt0 and ld.so see it: user addresses into a host buffer. */
struct stack_view {
	const uint8_t *buf;
	uint64_t lo;
	uint64_t top;
};

static const uint8_t *view_at(const struct stack_view *v, uint64_t va, uint64_t len)
{
	if (va < v->lo || va > v->top || len > v->top - va) {
		printf("  0x%lx+%lu is outside the stack\n", va, len);
		htest_failures++;
		return NULL;
	}
	return v->buf + (va - v->lo);
}

static uint64_t view_word(const struct stack_view *v, uint64_t va)
{
	const uint8_t *p = view_at(v, va, 8);
	uint64_t w = 0;

	if (p)
		memcpy(&w, p, 8);
	return w;
}

static bool view_str_is(const struct stack_view *v, uint64_t va, const char *want)
{
	const uint8_t *p = view_at(v, va, strlen(want) + 1);

	return p && memcmp(p, want, strlen(want) + 1) == 0;
}

/* argv or envp at *@va: a NULL-terminated array of pointers to @want. */
static void expect_strv(const struct stack_view *v, uint64_t *va, const char *const *want)
{
	for (; *want; want++, *va += 8)
		EXPECT(view_str_is(v, view_word(v, *va), *want));
	EXPECT_EQ(view_word(v, *va), 0);
	*va += 8;
}

static const char *const test_argv[] = { "hello", "-v", "a b", NULL };
static const char *const test_envp[] = { "HOME=/root", "LANG=C", NULL };

static struct elf_stack_args stack_args(const struct elf_image *img)
{
	return (struct elf_stack_args){
		.img = img,
		.bias = PIE_BIAS,
		.interp_base = INTERP_BIAS,
		.argv = test_argv,
		.envp = test_envp,
		.execfn = "/usr/bin/hello",
		.random_seed = 0,
		.uid = 1000,
		.euid = 1001,
		.gid = 1002,
		.egid = 1003,
		.hwcap = 0x178bfbff,
		.hwcap2 = 0x2,
		.minsigstksz = 3632,
	};
}

/* What ld.so's getauxval() would find for @key in the vector at @va. */
static uint64_t auxv_value(const struct stack_view *v, uint64_t va, uint64_t key)
{
	for (int i = 0; i < 64 && view_word(v, va) != AT_NULL; i++, va += 16)
		if (view_word(v, va) == key)
			return view_word(v, va + 8);
	printf("  no auxv entry %lu\n", key);
	htest_failures++;
	return 0;
}

/* Keys in the order Linux writes them; ~0 marks a pointer checked on its own. */
static void expect_auxv(const struct stack_view *v, uint64_t va, uint64_t entry)
{
	const uint64_t ptr = ~0ull;
	const uint64_t want[][2] = {
		{ AT_MINSIGSTKSZ, 3632 },
		{ AT_HWCAP, 0x178bfbff },
		{ AT_PAGESZ, 4096 },
		{ AT_CLKTCK, 100 },
		{ AT_PHDR, PIE_BIAS + 0x40 },
		{ AT_PHENT, 56 },
		{ AT_PHNUM, 14 },
		{ AT_BASE, INTERP_BIAS },
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, entry },
		{ AT_UID, 1000 },
		{ AT_EUID, 1001 },
		{ AT_GID, 1002 },
		{ AT_EGID, 1003 },
		{ AT_SECURE, 0 },
		{ AT_RANDOM, ptr },
		{ AT_HWCAP2, 2 },
		{ AT_EXECFN, ptr },
		{ AT_PLATFORM, ptr },
		{ AT_NULL, 0 },
	};
	uint64_t random = auxv_value(v, va, AT_RANDOM);

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		EXPECT_EQ(view_word(v, va + 16 * i), want[i][0]);
		if (want[i][1] != ptr)
			EXPECT_EQ(view_word(v, va + 16 * i + 8), want[i][1]);
	}
	/* splitmix64's reference outputs for seed 0 */
	EXPECT_EQ(view_word(v, random), 0xe220a8397b1dcdafull);
	EXPECT_EQ(view_word(v, random + 8), 0x6e789e6aa1b965f4ull);
	EXPECT(view_str_is(v, auxv_value(v, va, AT_EXECFN), "/usr/bin/hello"));
	EXPECT(view_str_is(v, auxv_value(v, va, AT_PLATFORM), "x86_64"));
}

HTEST(elf, stack_as_crt0_sees_it)
{
	struct file f = file_read(DYNAMIC);
	struct elf_image img;
	struct elf_stack_args args;
	/* Neither the top nor the host buffer 16-byte aligned, on purpose. */
	const uint64_t top = 0x400000000000ull - 8, size = 4096;
	uint8_t *raw = malloc(size + 3);
	struct stack_view v = { raw + 3, top - size, top };
	uint64_t sp = 0, va;

	EXPECT_EQ(parse(&f, &img), 0);
	args = stack_args(&img);
	EXPECT_EQ(elf_stack_build(&args, raw + 3, size, top, &sp, err, sizeof(err)), 0);
	EXPECT_EQ(sp % 16, 0);
	EXPECT(sp >= v.lo && sp < top);
	EXPECT_EQ(view_word(&v, sp), 3);
	va = sp + 8;
	expect_strv(&v, &va, test_argv);
	expect_strv(&v, &va, test_envp);
	expect_auxv(&v, va, PIE_BIAS + ehdr(&f)->e_entry);
	/* As in Linux: execfn is the highest string, under an 8-byte end marker. */
	EXPECT(view_str_is(&v, top - 8 - sizeof("/usr/bin/hello"), "/usr/bin/hello"));
	EXPECT_EQ(view_word(&v, top - 8), 0);
	free(raw);
	free(f.data);
}

/* Every size either holds the whole stack or is refused, never overrun (ASan). */
HTEST(elf, stack_every_size_fits_or_e2big)
{
	struct file f = file_read(DYNAMIC);
	struct elf_image img;
	struct elf_stack_args args;
	const uint64_t top = 0x400000000000ull;
	uint8_t big[4096];
	uint64_t sp, need;

	EXPECT_EQ(parse(&f, &img), 0);
	args = stack_args(&img);
	EXPECT_EQ(elf_stack_build(&args, big, sizeof(big), top, &sp, err, sizeof(err)), 0);
	need = top - sp;
	for (uint64_t size = 0; size < need + 64; size++) {
		uint8_t *buf = malloc(size ? size : 1);

		err[0] = '\0';
		EXPECT_EQ(elf_stack_build(&args, buf, size, top, &sp, err, sizeof(err)),
			  size >= need ? 0 : -E2BIG);
		if (size < need)
			EXPECT_STR_CONTAINS(err, "initial stack (3 arguments, 2 environment "
						 "strings) does not fit");
		free(buf);
	}
	free(f.data);
}

static void expect_refused(struct file *f, const char *why)
{
	struct elf_image img;

	EXPECT_EQ(parse(f, &img), -ENOEXEC);
	EXPECT_STR_CONTAINS(err, why);
	free(f->data);
}

/* For messages that quote sizes which change with the toolchain's glibc. */
static __printf(2, 3) void expect_refusedf(struct file *f, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	expect_refused(f, why);
}

HTEST(elf, refuses_truncated_header)
{
	struct file f = file_read(STATIC);

	f.size = 40;
	expect_refused(&f, "ELF file truncated: 40 bytes, less than the 64-byte header");
}

HTEST(elf, refuses_truncated_segment)
{
	struct file f = file_read(STATIC);

	f.size = 0x1000 + 10;
	expect_refused(&f, "PT_LOAD (program header 1): file range 0x1000+0x");
}

/* One ELF header field set to a bad value (little-endian, @size bytes at @offset). */
static const struct {
	const char *path;
	size_t offset;
	unsigned int size;
	uint64_t value;
	const char *why;
} bad_ehdr[] = {
	{ STATIC, 1, 1, 'X', "not an ELF file (bad magic)" },
	{ STATIC, EI_CLASS, 1, 1, "ELF class 1 is not ELFCLASS64" },
	{ STATIC, EI_DATA, 1, 2, "ELF data encoding 2 is not ELFDATA2LSB" },
	{ DYNAMIC, offsetof(struct elf64_ehdr, e_machine), 2, 183,
	  "ELF is for machine 183 (aarch64), not x86_64" },
	{ DYNAMIC, offsetof(struct elf64_ehdr, e_type), 2, 1, "ELF type 1 is not an executable" },
	{ DYNAMIC, offsetof(struct elf64_ehdr, e_phentsize), 2, 32,
	  "program header size is 32 bytes, expected 56" },
	{ STATIC, offsetof(struct elf64_ehdr, e_phnum), 2, 0, "no program headers (e_phnum is 0)" },
	{ DYNAMIC, offsetof(struct elf64_ehdr, e_phnum), 2, 0xffff,
	  "too many program headers (65535, at most 1024)" },
	{ DYNAMIC, offsetof(struct elf64_ehdr, e_phnum), 2, 1000,
	  "program headers (1000 at offset 0x40) are outside the file" },
	{ DYNAMIC, offsetof(struct elf64_ehdr, e_phoff), 8, ~0ull - 8,
	  "program headers (14 at offset 0xfffffffffffffff7) are outside" },
	{ STATIC, offsetof(struct elf64_ehdr, e_entry), 8, 0x400000,
	  "entry point 0x400000 is outside every executable segment" },
	{ STATIC, offsetof(struct elf64_ehdr, e_entry), 8, 0,
	  "entry point 0x0 is outside every executable segment" },
};

HTEST(elf, refuses_bad_header_fields)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_ehdr); i++) {
		struct file f = file_read(bad_ehdr[i].path);

		memcpy(f.data + bad_ehdr[i].offset, &bad_ehdr[i].value, bad_ehdr[i].size);
		expect_refused(&f, bad_ehdr[i].why);
	}
}

HTEST(elf, refuses_segment_offset_past_eof)
{
	struct file f = file_read(DYNAMIC);
	struct elf64_phdr *ph = nth_phdr(&f, PT_LOAD, 1);

	ph->p_offset += ALIGN_UP(f.size, PAGE);
	ph->p_vaddr += ALIGN_UP(f.size, PAGE);
	expect_refused(&f, "PT_LOAD (program header 3): file range 0x");
}

HTEST(elf, refuses_filesz_over_memsz)
{
	struct file f = file_read(STATIC);
	struct elf64_phdr *ph = nth_phdr(&f, PT_LOAD, 3);

	ph->p_memsz = ph->p_filesz - 1;
	expect_refusedf(&f, "PT_LOAD (program header 3): filesz 0x%lx is larger than memsz 0x%lx",
			ph->p_filesz, ph->p_filesz - 1);
}

HTEST(elf, refuses_overlapping_loads)
{
	struct file f = file_read(STATIC);

	nth_phdr(&f, PT_LOAD, 2)->p_vaddr = 0x402000;
	expect_refusedf(&f, "PT_LOAD segments 1 and 2 overlap (0x401000+0x%lx and 0x402000+",
			nth_phdr(&f, PT_LOAD, 1)->p_memsz);
}

HTEST(elf, refuses_misaligned_load)
{
	struct file f = file_read(STATIC);

	nth_phdr(&f, PT_LOAD, 1)->p_vaddr += 0x10;
	expect_refused(&f, "vaddr 0x401010 and offset 0x1000 are not congruent modulo the page");
}

/* The RW load of the static build starts 0x6d0 into its page (readelf). */
HTEST(elf, refuses_load_beyond_user_space)
{
	struct file f = file_read(STATIC);
	struct elf64_phdr *ph = nth_phdr(&f, PT_LOAD, 3);

	EXPECT_EQ(ph->p_vaddr % PAGE, 0x6d0);
	ph->p_vaddr = ELF_USER_END - PAGE + 0x6d0;
	expect_refusedf(&f,
			"PT_LOAD (program header 3): 0x7ffffffff6d0+0x%lx runs beyond user "
			"space (0x800000000000)",
			ph->p_memsz);
}

HTEST(elf, refuses_load_wrapping_around)
{
	struct file f = file_read(STATIC);

	nth_phdr(&f, PT_LOAD, 3)->p_vaddr = ~0ull - 0xfff + 0x6d0;
	expect_refused(&f, "(program header 3): 0xfffffffffffff6d0+0x");
}

HTEST(elf, refuses_too_many_loads)
{
	struct file good = file_read(DYNAMIC);
	uint64_t table = ALIGN_UP(good.size, 8);
	struct file f = { calloc(1, table + 17 * 56), table + 17 * 56 };

	memcpy(f.data, good.data, good.size);
	ehdr(&f)->e_phoff = table;
	ehdr(&f)->e_phnum = 17;
	for (unsigned int i = 0; i < 17; i++) {
		*phdr(&f, i) = *nth_phdr(&good, PT_LOAD, 0);
		phdr(&f, i)->p_vaddr += i * 0x10000;
	}
	expect_refused(&f, "too many PT_LOAD segments (more than 16)");
	free(good.data);
}

HTEST(elf, refuses_no_load)
{
	struct file f = file_read(DYNAMIC);

	for (unsigned int i = 0; i < ehdr(&f)->e_phnum; i++)
		if (phdr(&f, i)->p_type == PT_LOAD)
			phdr(&f, i)->p_type = PT_NOTE;
	expect_refused(&f, "no PT_LOAD segment");
}

HTEST(elf, refuses_unterminated_interp)
{
	struct file f = file_read(DYNAMIC);
	struct elf64_phdr *ph = nth_phdr(&f, PT_INTERP, 0);

	f.data[ph->p_offset + ph->p_filesz - 1] = 'x';
	expect_refused(&f, "interpreter path is not NUL-terminated");
}

HTEST(elf, refuses_bad_interp_length)
{
	struct file f = file_read(DYNAMIC);

	nth_phdr(&f, PT_INTERP, 0)->p_filesz = 1;
	expect_refused(&f, "interpreter path is 1 bytes, expected 2 to 4096");
	f = file_read(DYNAMIC);
	nth_phdr(&f, PT_INTERP, 0)->p_filesz = 5000;
	expect_refused(&f, "interpreter path is 5000 bytes");
	f = file_read(DYNAMIC);
	f.data[nth_phdr(&f, PT_INTERP, 0)->p_offset] = '\0';
	expect_refused(&f, "interpreter path is empty");
}

HTEST(elf, refuses_interp_outside_file)
{
	struct file f = file_read(DYNAMIC);

	nth_phdr(&f, PT_INTERP, 0)->p_offset = f.size - 4;
	expect_refused(&f, "PT_INTERP (program header 1): file range");
}

HTEST(elf, refuses_second_interp)
{
	struct file f = file_read(DYNAMIC);

	*nth_phdr(&f, PT_NOTE, 0) = *nth_phdr(&f, PT_INTERP, 0);
	expect_refused(&f, "more than one PT_INTERP");
}

HTEST(elf, refuses_bad_tls)
{
	struct file f = file_read(DYNAMIC);

	nth_phdr(&f, PT_TLS, 0)->p_align = 24;
	expect_refused(&f, "PT_TLS alignment 0x18 is not a power of two");
	f = file_read(DYNAMIC);
	nth_phdr(&f, PT_TLS, 0)->p_filesz = 0x200;
	expect_refused(&f, "PT_TLS (program header 9): filesz 0x200 is larger than memsz 0x110");
}

static void *fuzz_map(void *ctx, uint64_t va, uint64_t len)
{
	return len <= 1 << 20 ? ctx : NULL;
}

/* Whatever parses must also load and get a stack without touching a wrong byte. */
static void fuzz_use(const struct file *f, const struct elf_image *img, uint8_t *sink)
{
	struct elf_stack_args args = stack_args(img);
	uint64_t bias = img->pie ? PIE_BIAS : 0, sp;
	int ret = elf_load(img, f->data, bias, fuzz_map, sink, err, sizeof(err));

	EXPECT(ret == 0 || ret == -EINVAL || ret == -EFAULT);
	EXPECT_EQ(elf_stack_build(&args, sink, 4096, 0x400000000000ull, &sp, err, sizeof(err)), 0);
}

/* One mutant: a few header bytes changed, sometimes cut short; exact-size buffer. */
static struct file fuzz_mutant(const struct file *good, uint64_t *rng)
{
	size_t span = 0x400; /* headers, program headers and the interpreter path */
	unsigned int flips = 1 + htest_rand(rng) % 4;
	struct file f = { NULL, good->size };

	if (htest_rand(rng) % 16 == 0)
		f.size = htest_rand(rng) % good->size;
	f.data = malloc(f.size ? f.size : 1);
	memcpy(f.data, good->data, f.size);
	span = MIN(span, f.size);
	while (span && flips--)
		f.data[htest_rand(rng) % span] = htest_rand(rng);
	return f;
}

HTEST(elf, fuzz_header_bytes)
{
	struct file good = file_read(DYNAMIC);
	uint8_t *sink = malloc(1 << 20);
	uint64_t rng = 0x5eed5eed5eedull;
	unsigned int accepted = 0;
	struct elf_image img;

	for (int i = 0; i < 20000; i++) {
		struct file f = fuzz_mutant(&good, &rng);
		int ret = parse(&f, &img);

		EXPECT(ret == 0 || (ret == -ENOEXEC && err[0]));
		if (!ret) {
			accepted++;
			fuzz_use(&f, &img, sink);
		}
		free(f.data);
	}
	printf("  fuzz: %u of 20000 mutants accepted\n", accepted);
	EXPECT(accepted > 0 && accepted < 20000);
	free(sink);
	free(good.data);
}

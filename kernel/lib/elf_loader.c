// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ELF loader (elf_loader.h). This file is compiled into the kernel and
 * into the proxy, so it touches nothing but the buffers it is given. The
 * file is untrusted: headers are copied out with memcpy (the buffer need
 * not be aligned) and every size is compared with what is left before it
 * is added to an offset, so that no sum can wrap.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <elf_loader.h>
#include <lwk/types.h> /* plain C; builds on Linux too */
#include <uapi/lwk/errno.h>

#define ELF_PLATFORM "x86_64"
#define ELF_CLKTCK 100 /* USER_HZ: what times() and friends count in */

struct elf_reader {
	const uint8_t *file;
	size_t size;
	struct elf_image *img;
	struct elf64_ehdr eh;
	char *err;
	size_t errlen;
};

static __printf(4, 5) int elf_error(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

#define elf_refuse(r, ...) elf_error((r)->err, (r)->errlen, -ENOEXEC, __VA_ARGS__)

/* Names for the machines a wrong binary is most likely built for. */
static const char *elf_machine_name(unsigned int machine)
{
	static const struct {
		uint16_t machine;
		const char *name;
	} names[] = {
		{ 3, "i386" },	    { 8, "mips" },    { 20, "ppc" },	    { 21, "ppc64" },
		{ 22, "s390" },	    { 40, "arm" },    { 43, "sparc64" },    { 50, "ia64" },
		{ 183, "aarch64" }, { 243, "riscv" }, { 258, "loongarch" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].machine == machine)
			return names[i].name;
	return "unknown";
}

static const char *elf_type_name(uint32_t type)
{
	switch (type) {
	case PT_LOAD:
		return "PT_LOAD";
	case PT_INTERP:
		return "PT_INTERP";
	case PT_TLS:
		return "PT_TLS";
	case PT_PHDR:
		return "PT_PHDR";
	case PT_GNU_RELRO:
		return "PT_GNU_RELRO";
	}
	return "segment";
}

static int elf_check_ident(struct elf_reader *r)
{
	const uint8_t *ident = r->eh.e_ident;

	if (r->size < 4 || memcmp(r->file, "\177ELF", 4))
		return elf_refuse(r, "not an ELF file (bad magic)");
	if (r->size < sizeof(r->eh))
		return elf_refuse(r, "ELF file truncated: %zu bytes, less than the %zu-byte header",
				  r->size, sizeof(r->eh));
	memcpy(&r->eh, r->file, sizeof(r->eh));
	if (ident[EI_CLASS] != ELFCLASS64)
		return elf_refuse(r, "ELF class %u is not ELFCLASS64 (64-bit)", ident[EI_CLASS]);
	if (ident[EI_DATA] != ELFDATA2LSB)
		return elf_refuse(r, "ELF data encoding %u is not ELFDATA2LSB (little-endian)",
				  ident[EI_DATA]);
	return 0;
}

static int elf_check_ehdr(struct elf_reader *r)
{
	const struct elf64_ehdr *eh = &r->eh;
	uint64_t table = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);

	if (eh->e_machine != EM_X86_64)
		return elf_refuse(r, "ELF is for machine %u (%s), not x86_64", eh->e_machine,
				  elf_machine_name(eh->e_machine));
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return elf_refuse(r, "ELF type %u is not an executable (ET_EXEC or ET_DYN)",
				  eh->e_type);
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return elf_refuse(r, "program header size is %u bytes, expected %zu",
				  eh->e_phentsize, sizeof(struct elf64_phdr));
	if (!eh->e_phnum)
		return elf_refuse(r, "no program headers (e_phnum is 0)");
	if (eh->e_phnum > ELF_MAX_PHNUM)
		return elf_refuse(r, "too many program headers (%u, at most %u)", eh->e_phnum,
				  ELF_MAX_PHNUM);
	if (eh->e_phoff > r->size || table > r->size - eh->e_phoff)
		return elf_refuse(r,
				  "program headers (%u at offset 0x%lx) are outside the file "
				  "(%zu bytes)",
				  eh->e_phnum, eh->e_phoff, r->size);
	return 0;
}

static int elf_check_file_range(struct elf_reader *r, unsigned int i, const struct elf64_phdr *ph)
{
	if (ph->p_offset > r->size || ph->p_filesz > r->size - ph->p_offset)
		return elf_refuse(r,
				  "%s (program header %u): file range 0x%lx+0x%lx is outside the "
				  "file (%zu bytes)",
				  elf_type_name(ph->p_type), i, ph->p_offset, ph->p_filesz,
				  r->size);
	return 0;
}

static int elf_check_mem_range(struct elf_reader *r, unsigned int i, const struct elf64_phdr *ph)
{
	if (ph->p_vaddr >= ELF_USER_END || ph->p_memsz > ELF_USER_END - ph->p_vaddr)
		return elf_refuse(r,
				  "%s (program header %u): 0x%lx+0x%lx runs beyond user space "
				  "(0x%llx)",
				  elf_type_name(ph->p_type), i, ph->p_vaddr, ph->p_memsz,
				  ELF_USER_END);
	return 0;
}

/* The checks shared by everything that is copied from the file: PT_LOAD, PT_TLS. */
static int elf_check_segment(struct elf_reader *r, unsigned int i, const struct elf64_phdr *ph)
{
	int ret = elf_check_file_range(r, i, ph);

	if (ret)
		return ret;
	if (ph->p_filesz > ph->p_memsz)
		return elf_refuse(r,
				  "%s (program header %u): filesz 0x%lx is larger than memsz 0x%lx",
				  elf_type_name(ph->p_type), i, ph->p_filesz, ph->p_memsz);
	return elf_check_mem_range(r, i, ph);
}

static struct elf_segment elf_segment_of(const struct elf64_phdr *ph)
{
	return (struct elf_segment){
		.vaddr = ph->p_vaddr,
		.memsz = ph->p_memsz,
		.filesz = ph->p_filesz,
		.offset = ph->p_offset,
		.align = ph->p_align,
		.prot = (ph->p_flags & PF_R ? ELF_PROT_READ : 0) |
			(ph->p_flags & PF_W ? ELF_PROT_WRITE : 0) |
			(ph->p_flags & PF_X ? ELF_PROT_EXEC : 0),
	};
}

static int elf_add_load(struct elf_reader *r, unsigned int i, const struct elf64_phdr *ph)
{
	struct elf_image *img = r->img;
	int ret = elf_check_segment(r, i, ph);

	if (ret)
		return ret;
	/* Memory and file must line up page by page, or no mmap can place it. */
	if ((ph->p_vaddr - ph->p_offset) % ELF_PAGE_SIZE)
		return elf_refuse(r,
				  "PT_LOAD (program header %u): vaddr 0x%lx and offset 0x%lx are "
				  "not congruent modulo the page size",
				  i, ph->p_vaddr, ph->p_offset);
	if (img->nloads == ELF_MAX_LOADS)
		return elf_refuse(r, "too many PT_LOAD segments (more than %d)", ELF_MAX_LOADS);
	img->loads[img->nloads++] = elf_segment_of(ph);
	return 0;
}

static int elf_set_interp(struct elf_reader *r, unsigned int i, const struct elf64_phdr *ph)
{
	const char *path;
	int ret = elf_check_file_range(r, i, ph);

	if (ret)
		return ret;
	if (r->img->interp)
		return elf_refuse(r, "more than one PT_INTERP");
	if (ph->p_filesz < 2 || ph->p_filesz > ELF_INTERP_MAX)
		return elf_refuse(r, "interpreter path is %lu bytes, expected 2 to %d",
				  ph->p_filesz, ELF_INTERP_MAX);
	path = (const char *)r->file + ph->p_offset;
	if (path[ph->p_filesz - 1] != '\0')
		return elf_refuse(r, "interpreter path is not NUL-terminated");
	if (path[0] == '\0')
		return elf_refuse(r, "interpreter path is empty");
	r->img->interp = path;
	r->img->interp_len = strlen(path);
	return 0;
}

static int elf_set_tls(struct elf_reader *r, unsigned int i, const struct elf64_phdr *ph)
{
	int ret = elf_check_segment(r, i, ph);

	if (ret)
		return ret;
	if (r->img->has_tls)
		return elf_refuse(r, "more than one PT_TLS");
	if (ph->p_align & (ph->p_align - 1))
		return elf_refuse(r, "PT_TLS alignment 0x%lx is not a power of two", ph->p_align);
	r->img->has_tls = true;
	r->img->tls = elf_segment_of(ph);
	return 0;
}

static int elf_set_relro(struct elf_reader *r, unsigned int i, const struct elf64_phdr *ph)
{
	int ret = elf_check_mem_range(r, i, ph);

	if (ret)
		return ret;
	r->img->has_relro = true;
	r->img->relro_vaddr = ph->p_vaddr;
	r->img->relro_memsz = ph->p_memsz;
	return 0;
}

static int elf_set_phdr(struct elf_reader *r, unsigned int i, const struct elf64_phdr *ph)
{
	int ret = elf_check_mem_range(r, i, ph);

	if (ret)
		return ret;
	r->img->has_phdr = true;
	r->img->phdr_vaddr = ph->p_vaddr;
	return 0;
}

static int elf_read_phdr(struct elf_reader *r, unsigned int i, const struct elf64_phdr *ph)
{
	switch (ph->p_type) {
	case PT_LOAD:
		return elf_add_load(r, i, ph);
	case PT_INTERP:
		return elf_set_interp(r, i, ph);
	case PT_TLS:
		return elf_set_tls(r, i, ph);
	case PT_GNU_RELRO:
		return elf_set_relro(r, i, ph);
	case PT_PHDR:
		return elf_set_phdr(r, i, ph);
	case PT_GNU_STACK:
		r->img->exec_stack = ph->p_flags & PF_X;
		return 0;
	}
	return 0; /* DYNAMIC, NOTE, GNU_PROPERTY...: for the dynamic linker */
}

static int elf_read_phdrs(struct elf_reader *r)
{
	struct elf64_phdr ph;
	int ret;

	for (unsigned int i = 0; i < r->eh.e_phnum; i++) {
		memcpy(&ph, r->file + r->eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		ret = elf_read_phdr(r, i, &ph);
		if (ret)
			return ret;
	}
	return 0;
}

/* Empty segments overlap nothing: they place no byte. */
static bool elf_segments_overlap(const struct elf_segment *a, const struct elf_segment *b)
{
	return a->memsz && b->memsz && a->vaddr < b->vaddr + b->memsz &&
	       b->vaddr < a->vaddr + a->memsz;
}

static int elf_check_overlaps(struct elf_reader *r)
{
	const struct elf_segment *a, *b;

	for (unsigned int i = 0; i < r->img->nloads; i++) {
		for (unsigned int j = i + 1; j < r->img->nloads; j++) {
			a = &r->img->loads[i];
			b = &r->img->loads[j];
			if (elf_segments_overlap(a, b))
				return elf_refuse(r,
						  "PT_LOAD segments %u and %u overlap (0x%lx+0x%lx "
						  "and 0x%lx+0x%lx)",
						  i, j, a->vaddr, a->memsz, b->vaddr, b->memsz);
		}
	}
	return 0;
}

static void elf_set_span(struct elf_image *img)
{
	const struct elf_segment *seg;

	img->lo = ELF_USER_END;
	img->hi = 0;
	for (unsigned int i = 0; i < img->nloads; i++) {
		seg = &img->loads[i];
		img->lo = MIN(img->lo, ALIGN_DOWN(seg->vaddr, ELF_PAGE_SIZE));
		img->hi = MAX(img->hi, ALIGN_UP(seg->vaddr + seg->memsz, ELF_PAGE_SIZE));
	}
}

static int elf_check_entry(struct elf_reader *r)
{
	const struct elf_segment *seg;
	uint64_t entry = r->eh.e_entry;

	for (unsigned int i = 0; i < r->img->nloads; i++) {
		seg = &r->img->loads[i];
		if ((seg->prot & ELF_PROT_EXEC) && entry >= seg->vaddr &&
		    entry - seg->vaddr < seg->filesz)
			return 0;
	}
	return elf_refuse(r, "entry point 0x%lx is outside every executable segment", entry);
}

/* Without PT_PHDR, AT_PHDR is where the load covering e_phoff puts the table. */
static void elf_find_phdrs(struct elf_reader *r)
{
	const struct elf_segment *seg;
	uint64_t off = r->eh.e_phoff;
	uint64_t len = (uint64_t)r->eh.e_phnum * sizeof(struct elf64_phdr);

	for (unsigned int i = 0; i < r->img->nloads && !r->img->has_phdr; i++) {
		seg = &r->img->loads[i];
		if (off >= seg->offset && off - seg->offset <= seg->filesz &&
		    len <= seg->filesz - (off - seg->offset)) {
			r->img->phdr_vaddr = seg->vaddr + (off - seg->offset);
			return;
		}
	}
}

static void elf_describe(struct elf_reader *r)
{
	struct elf_image *img = r->img;

	img->entry = r->eh.e_entry;
	img->phoff = r->eh.e_phoff;
	img->phnum = r->eh.e_phnum;
	img->phentsize = r->eh.e_phentsize;
	img->pie = r->eh.e_type == ET_DYN;
	elf_set_span(img);
	elf_find_phdrs(r);
}

int elf_parse(const void *file, size_t size, struct elf_image *img, char *err, size_t errlen)
{
	struct elf_reader r = {
		.file = file, .size = size, .img = img, .err = err, .errlen = errlen
	};
	int ret;

	memset(img, 0, sizeof(*img));
	ret = elf_check_ident(&r);
	if (!ret)
		ret = elf_check_ehdr(&r);
	if (!ret)
		ret = elf_read_phdrs(&r);
	if (!ret && !img->nloads)
		ret = elf_refuse(&r, "no PT_LOAD segment");
	if (!ret)
		ret = elf_check_overlaps(&r);
	if (!ret)
		ret = elf_check_entry(&r);
	if (!ret)
		elf_describe(&r);
	return ret;
}

struct elf_loader {
	const struct elf_image *img;
	const uint8_t *file;
	uint64_t bias;
	void *(*map)(void *ctx, uint64_t va, uint64_t len);
	void *ctx;
	char *err;
	size_t errlen;
};

static int elf_check_bias(const struct elf_loader *l)
{
	const struct elf_image *img = l->img;

	if (!img->pie && l->bias)
		return elf_error(l->err, l->errlen, -EINVAL,
				 "a fixed-address (ET_EXEC) program cannot be moved by 0x%lx",
				 l->bias);
	if (l->bias % ELF_PAGE_SIZE)
		return elf_error(l->err, l->errlen, -EINVAL, "load bias 0x%lx is not page-aligned",
				 l->bias);
	if (l->bias >= ELF_USER_END || img->hi > ELF_USER_END - l->bias)
		return elf_error(l->err, l->errlen, -EINVAL,
				 "load bias 0x%lx moves the image beyond user space", l->bias);
	return 0;
}

/*
 * Zeroing after a segment runs to the end of its last page, as Linux's
 * padzero() does, so no stale byte of reused memory shows there; it stops
 * where another segment shares that page.
 */
static uint64_t elf_zero_end(const struct elf_image *img, const struct elf_segment *seg)
{
	uint64_t end = seg->vaddr + seg->memsz;
	uint64_t limit = ALIGN_UP(end, ELF_PAGE_SIZE);

	for (unsigned int j = 0; j < img->nloads; j++)
		if (img->loads[j].vaddr >= end && img->loads[j].vaddr < limit)
			limit = img->loads[j].vaddr;
	return limit;
}

static int elf_load_segment(const struct elf_loader *l, const struct elf_segment *seg)
{
	uint64_t va = seg->vaddr + l->bias;
	uint64_t len = elf_zero_end(l->img, seg) - seg->vaddr;
	uint8_t *dst;

	if (!len)
		return 0;
	dst = l->map(l->ctx, va, len);
	if (!dst)
		return elf_error(l->err, l->errlen, -EFAULT,
				 "no memory mapped at 0x%lx+0x%lx for a PT_LOAD segment", va, len);
	memcpy(dst, l->file + seg->offset, seg->filesz);
	memset(dst + seg->filesz, 0, len - seg->filesz);
	return 0;
}

int elf_load(const struct elf_image *img, const void *file, uint64_t bias,
	     void *(*map)(void *ctx, uint64_t va, uint64_t len), void *ctx, char *err,
	     size_t errlen)
{
	const struct elf_loader l = { img, file, bias, map, ctx, err, errlen };
	int ret = elf_check_bias(&l);

	for (unsigned int i = 0; !ret && i < img->nloads; i++)
		ret = elf_load_segment(&l, &img->loads[i]);
	return ret;
}

/* The stack is built downward from end, which stands for user address top_va. */
struct elf_stack {
	uint8_t *base;
	uint8_t *end;
	uint8_t *pos; /* lowest byte written so far */
	uint64_t top_va;
};

/* User addresses of what the strings part of the stack holds. */
struct elf_stack_addrs {
	const uint8_t *strings; /* argv strings, then envp strings, in order */
	uint64_t execfn;
	uint64_t platform;
	uint64_t random;
};

static uint64_t stack_va(const struct elf_stack *s, const uint8_t *p)
{
	return s->top_va - (uint64_t)(s->end - p);
}

static bool stack_reserve(struct elf_stack *s, size_t len)
{
	if ((size_t)(s->pos - s->base) < len)
		return false;
	s->pos -= len;
	return true;
}

static bool stack_push(struct elf_stack *s, const void *data, size_t len)
{
	if (!stack_reserve(s, len))
		return false;
	memcpy(s->pos, data, len);
	return true;
}

/* The terminator is written, not copied: the string may change under us. */
static bool stack_push_str(struct elf_stack *s, const char *str)
{
	size_t len = strlen(str);

	if (len == SIZE_MAX || !stack_reserve(s, len + 1))
		return false;
	memcpy(s->pos, str, len);
	s->pos[len] = '\0';
	return true;
}

/* Last first, so that v[0], v[1]... lie in order upward in memory. */
static bool stack_push_strv(struct elf_stack *s, const char *const *v, size_t n)
{
	while (n--)
		if (!stack_push_str(s, v[n]))
			return false;
	return true;
}

static size_t elf_strv_count(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* splitmix64: a small, well-mixed expansion of the caller's seed. */
static uint64_t elf_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static bool elf_stack_strings(struct elf_stack *s, const struct elf_stack_args *a, size_t argc,
			      size_t envc, struct elf_stack_addrs *at)
{
	static const uint64_t end_marker;
	uint64_t state = a->random_seed;
	uint64_t random[2];

	if (!stack_push(s, &end_marker, sizeof(end_marker)) || !stack_push_str(s, a->execfn))
		return false;
	at->execfn = stack_va(s, s->pos);
	if (!stack_push_strv(s, a->envp, envc) || !stack_push_strv(s, a->argv, argc))
		return false;
	at->strings = s->pos;
	if (!stack_push_str(s, ELF_PLATFORM))
		return false;
	at->platform = stack_va(s, s->pos);
	random[0] = elf_splitmix64(&state);
	random[1] = elf_splitmix64(&state);
	if (!stack_push(s, random, sizeof(random)))
		return false;
	at->random = stack_va(s, s->pos);
	return true;
}

static uint8_t *stack_put(uint8_t *w, uint64_t word)
{
	memcpy(w, &word, sizeof(word));
	return w + sizeof(word);
}

/* A NULL-terminated pointer array to the next @n strings at *@str. */
static uint8_t *stack_put_strv(const struct elf_stack *s, uint8_t *w, const uint8_t **str, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		w = stack_put(w, stack_va(s, *str));
		*str += strlen((const char *)*str) + 1;
	}
	return stack_put(w, 0);
}

/* argc, argv[], envp[] and auxv, in the order binfmt_elf's create_elf_tables() writes them. */
static bool elf_stack_tables(struct elf_stack *s, const struct elf_stack_args *a,
			     const struct elf_stack_addrs *at, size_t argc, size_t envc)
{
	const uint64_t auxv[][2] = {
		{ AT_MINSIGSTKSZ, a->minsigstksz },
		{ AT_HWCAP, a->hwcap },
		{ AT_PAGESZ, ELF_PAGE_SIZE },
		{ AT_CLKTCK, ELF_CLKTCK },
		{ AT_PHDR, a->img->phdr_vaddr + a->bias },
		{ AT_PHENT, sizeof(struct elf64_phdr) },
		{ AT_PHNUM, a->img->phnum },
		{ AT_BASE, a->interp_base },
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, a->img->entry + a->bias },
		{ AT_UID, a->uid },
		{ AT_EUID, a->euid },
		{ AT_GID, a->gid },
		{ AT_EGID, a->egid },
		{ AT_SECURE, 0 },
		{ AT_RANDOM, at->random },
		{ AT_HWCAP2, a->hwcap2 },
		{ AT_EXECFN, at->execfn },
		{ AT_PLATFORM, at->platform },
		{ AT_NULL, 0 },
	};
	uint64_t words = 1 + (argc + 1) + (envc + 1);
	uint64_t room = (uint64_t)(s->pos - s->base);
	const uint8_t *str = at->strings;
	uint64_t top = stack_va(s, s->pos);
	uint64_t need;
	uint8_t *w;

	if (words > room / 8 || sizeof(auxv) > room - words * 8)
		return false;
	/* The ABI wants the stack pointer 16-byte aligned at the entry point,
	 * pointing at argc. */
	need = top - ALIGN_DOWN(top - words * 8 - sizeof(auxv), 16);
	if (need > room)
		return false;
	s->pos -= need;
	w = stack_put(s->pos, argc);
	w = stack_put_strv(s, w, &str, argc);
	w = stack_put_strv(s, w, &str, envc);
	memcpy(w, auxv, sizeof(auxv));
	/* No stale byte of reused memory in the alignment gap. */
	memset(w + sizeof(auxv), 0, need - words * 8 - sizeof(auxv));
	return true;
}

int elf_stack_build(const struct elf_stack_args *args, void *stack, size_t size, uint64_t top_va,
		    uint64_t *sp, char *err, size_t errlen)
{
	struct elf_stack s = { .base = stack, .end = (uint8_t *)stack + size, .top_va = top_va };
	size_t argc = elf_strv_count(args->argv);
	size_t envc = elf_strv_count(args->envp);
	struct elf_stack_addrs at;

	s.pos = s.end;
	if (!elf_stack_strings(&s, args, argc, envc, &at) ||
	    !elf_stack_tables(&s, args, &at, argc, envc))
		return elf_error(err, errlen, -E2BIG,
				 "initial stack (%zu arguments, %zu environment strings) does not "
				 "fit in %zu bytes",
				 argc, envc, size);
	*sp = stack_va(&s, s.pos);
	return 0;
}

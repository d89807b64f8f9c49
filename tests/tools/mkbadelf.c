// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkbadelf GOOD DIR: writes into DIR copies of the static x86_64 program
 * GOOD, each broken in one way, for the bad-ELF runs of lwkctl bare in
 * tests/run-all.sh. It uses the host's <elf.h> rather than the loader's
 * own definitions, so that a mistake there is not repeated here.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PAGE 4096ul
#define INTERP_ROOM 64 /* appended to the file for a PT_INTERP path */

struct image {
	unsigned char *data; /* the file, with INTERP_ROOM spare bytes after it */
	size_t size;
};

static Elf64_Ehdr *ehdr(const struct image *im)
{
	return (Elf64_Ehdr *)im->data;
}

static Elf64_Phdr *phdr(const struct image *im, unsigned int i)
{
	return (Elf64_Phdr *)(im->data + ehdr(im)->e_phoff) + i;
}

/* The @n-th PT_LOAD; the good file was checked to have two, the second
 * (the text) with file data. */
static Elf64_Phdr *load(const struct image *im, unsigned int n)
{
	for (unsigned int i = 0; i < ehdr(im)->e_phnum; i++)
		if (phdr(im, i)->p_type == PT_LOAD && n-- == 0)
			return phdr(im, i);
	abort();
}

/* The last PT_LOAD: the data and bss, which nothing follows. */
static Elf64_Phdr *last_load(const struct image *im)
{
	Elf64_Phdr *last = NULL;

	for (unsigned int i = 0; i < ehdr(im)->e_phnum; i++)
		if (phdr(im, i)->p_type == PT_LOAD)
			last = phdr(im, i);
	return last;
}

/* A program header the program can do without (a note, GNU_STACK...). */
static Elf64_Phdr *spare(const struct image *im)
{
	for (unsigned int i = 0; i < ehdr(im)->e_phnum; i++)
		if (phdr(im, i)->p_type != PT_LOAD && phdr(im, i)->p_type != PT_PHDR)
			return phdr(im, i);
	return NULL;
}

/* Past e_ident, so that only the size is wrong. */
static void truncated_header(struct image *im)
{
	im->size = 40;
}

static void truncated_phdrs(struct image *im)
{
	im->size = ehdr(im)->e_phoff + ehdr(im)->e_phnum * sizeof(Elf64_Phdr) / 2;
}

static void truncated_segment(struct image *im)
{
	Elf64_Phdr *ph = load(im, 1);

	im->size = ph->p_offset + ph->p_filesz / 2;
}

static void machine_aarch64(struct image *im)
{
	ehdr(im)->e_machine = EM_AARCH64;
}

static void class32(struct image *im)
{
	ehdr(im)->e_ident[EI_CLASS] = ELFCLASS32;
}

/* The first load's memory grown a page into the second's. */
static void overlapping_loads(struct image *im)
{
	Elf64_Phdr *first = load(im, 0);

	first->p_memsz = load(im, 1)->p_vaddr + PAGE - first->p_vaddr;
}

/* Inside user space, so the parser takes it and exec must refuse it. */
static void huge_memsz(struct image *im)
{
	last_load(im)->p_memsz = 1ul << 40;
}

/* Wraps around the address space. */
static void wrapping_memsz(struct image *im)
{
	last_load(im)->p_memsz = ~0ul - PAGE;
}

static void filesz_over_memsz(struct image *im)
{
	Elf64_Phdr *ph = load(im, 1);

	ph->p_memsz = ph->p_filesz - 1;
}

/* Moved by whole pages, so that offset and address stay congruent. */
static void offset_past_eof(struct image *im)
{
	load(im, 1)->p_offset += (im->size + PAGE - 1) & ~(PAGE - 1);
}

/* @path (@len bytes of it) appended to the file, named by a PT_INTERP. */
static void add_interp(struct image *im, const char *path, size_t len)
{
	Elf64_Phdr *ph = spare(im);

	*ph = (Elf64_Phdr){ .p_type = PT_INTERP,
			    .p_flags = PF_R,
			    .p_offset = im->size,
			    .p_filesz = len,
			    .p_memsz = len,
			    .p_align = 1 };
	memcpy(im->data + im->size, path, len);
	im->size += len;
}

static void interp_missing(struct image *im)
{
	static const char path[] = "/lib64/no-such-ld.so";

	add_interp(im, path, sizeof(path));
}

static void interp_unterminated(struct image *im)
{
	static const char path[] = "/lib64/ld-linux-x86-64.so.2";

	add_interp(im, path, sizeof(path) - 1);
}

/* Interpreters that are there but wrong, named relative to the repository
 * root where the tests run: a program that is itself dynamic (the variant
 * above), one that is not position-independent (the good program), and
 * a file that is no ELF at all. */
static void interp_dynamic(struct image *im)
{
	static const char path[] = "build/user/bad-elf/interp-missing";

	add_interp(im, path, sizeof(path));
}

static void interp_not_pie(struct image *im)
{
	static const char path[] = "build/user/libc-min/hello";

	add_interp(im, path, sizeof(path));
}

static void interp_not_elf(struct image *im)
{
	static const char path[] = "README.md";

	add_interp(im, path, sizeof(path));
}

static void no_phdrs(struct image *im)
{
	ehdr(im)->e_phnum = 0;
}

static void bad_phentsize(struct image *im)
{
	ehdr(im)->e_phentsize = sizeof(Elf32_Phdr);
}

static const struct {
	const char *name;
	void (*apply)(struct image *im);
} variants[] = {
	{ "truncated-header", truncated_header },
	{ "truncated-phdrs", truncated_phdrs },
	{ "truncated-segment", truncated_segment },
	{ "machine-aarch64", machine_aarch64 },
	{ "class32", class32 },
	{ "overlapping-loads", overlapping_loads },
	{ "huge-memsz", huge_memsz },
	{ "wrapping-memsz", wrapping_memsz },
	{ "filesz-over-memsz", filesz_over_memsz },
	{ "offset-past-eof", offset_past_eof },
	{ "interp-missing", interp_missing },
	{ "interp-unterminated", interp_unterminated },
	{ "interp-dynamic", interp_dynamic },
	{ "interp-not-pie", interp_not_pie },
	{ "interp-not-elf", interp_not_elf },
	{ "no-phdrs", no_phdrs },
	{ "bad-phentsize", bad_phentsize },
};

static struct image read_good(const char *path)
{
	struct image im = { 0 };
	FILE *f = fopen(path, "rb");
	struct stat st;

	if (!f || fstat(fileno(f), &st)) {
		fprintf(stderr, "mkbadelf: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	im.size = st.st_size;
	im.data = calloc(1, im.size + INTERP_ROOM);
	if (!im.data || fread(im.data, 1, im.size, f) != im.size) {
		fprintf(stderr, "mkbadelf: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	return im;
}

/* Every variant above relies on these; anything else is not GOOD's fault to fix. */
static int good_enough(const struct image *im)
{
	const Elf64_Ehdr *eh = ehdr(im);
	unsigned int loads = 0;

	if (im->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > im->size ||
	    eh->e_phnum * sizeof(Elf64_Phdr) > im->size - eh->e_phoff)
		return 0;
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		if (phdr(im, i)->p_type == PT_INTERP)
			return 0;
		loads += phdr(im, i)->p_type == PT_LOAD;
	}
	return loads >= 2 && load(im, 1)->p_filesz >= 2 && spare(im);
}

static int write_variant(const char *dir, const struct image *good, unsigned int v)
{
	struct image im = { malloc(good->size + INTERP_ROOM), good->size };
	char path[4096];
	FILE *f;
	int ok;

	if (!im.data)
		return -1;
	memcpy(im.data, good->data, good->size + INTERP_ROOM);
	variants[v].apply(&im);
	snprintf(path, sizeof(path), "%s/%s", dir, variants[v].name);
	f = fopen(path, "wb");
	ok = f && fwrite(im.data, 1, im.size, f) == im.size;
	if (f && fclose(f))
		ok = 0;
	free(im.data);
	if (!ok || chmod(path, 0755)) {
		fprintf(stderr, "mkbadelf: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct image good;

	if (argc != 3) {
		fprintf(stderr, "usage: mkbadelf GOOD DIR\n");
		return 2;
	}
	good = read_good(argv[1]);
	if (!good_enough(&good)) {
		fprintf(stderr,
			"mkbadelf: %s is not a static x86_64 ELF with two PT_LOADs and a "
			"spare program header\n",
			argv[1]);
		return 1;
	}
	for (unsigned int v = 0; v < sizeof(variants) / sizeof(variants[0]); v++)
		if (write_variant(argv[2], &good, v))
			return 1;
	free(good.data);
	return 0;
}

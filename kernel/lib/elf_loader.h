/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ELF loader: pure logic over caller-provided buffers, built into the
 * kernel and into the Linux-side proxy. It validates an x86_64 Linux
 * executable, copies its PT_LOAD segments into memory the caller has
 * already mapped, and builds the initial process stack the way Linux's
 * binfmt_elf does. It allocates nothing, does no I/O and keeps no state.
 *
 * The file is untrusted: every refusal is -ENOEXEC with a one-line reason.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The few ELF64 definitions the loader needs (glibc's <elf.h> is not ours). */
#define EI_NIDENT 16
#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 62

#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6
#define PT_TLS 7
#define PT_GNU_STACK 0x6474e551
#define PT_GNU_RELRO 0x6474e552

#define PF_X 1
#define PF_W 2
#define PF_R 4

/* Initial stack auxiliary vector keys (Linux include/uapi/linux/auxvec.h). */
#include <uapi/lwk/auxv.h>

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

#define ELF_PAGE_SIZE 4096ull
#define ELF_USER_END 0x800000000000ull /* 47-bit user space */
#define ELF_MAX_LOADS 16
#define ELF_MAX_PHNUM 1024
#define ELF_INTERP_MAX 4096 /* PATH_MAX, as Linux bounds PT_INTERP */

/* Protection of a loaded segment, with the values of mmap's PROT_*. */
#define ELF_PROT_READ 1
#define ELF_PROT_WRITE 2
#define ELF_PROT_EXEC 4

struct elf_segment {
	uint64_t vaddr;
	uint64_t memsz;
	uint64_t filesz;
	uint64_t offset;
	uint64_t align;
	unsigned int prot; /* ELF_PROT_* */
};

/* Addresses are link-time virtual addresses; add the load bias to use them. */
struct elf_image {
	uint64_t entry;
	uint64_t phoff;
	uint16_t phnum;
	uint16_t phentsize;
	bool pie;	     /* ET_DYN: may be loaded at any page-aligned bias */
	uint64_t lo, hi;     /* page-aligned span [lo, hi) of all PT_LOADs */
	uint64_t phdr_vaddr; /* program headers in memory (AT_PHDR); 0: not loaded */
	unsigned int nloads;
	struct elf_segment loads[ELF_MAX_LOADS];
	const char *interp; /* PT_INTERP path inside the file buffer, or NULL */
	size_t interp_len;
	bool has_tls;
	struct elf_segment tls; /* PT_TLS: vaddr, filesz, memsz, offset, align */
	bool exec_stack;	/* PT_GNU_STACK has PF_X; absent means no, as Linux x86_64 */
	bool has_relro;
	uint64_t relro_vaddr, relro_memsz;
	bool has_phdr; /* PT_PHDR present */
};

/*
 * Validate the ELF file in @file[0..@size) and describe it in @img.
 * Returns 0, or -ENOEXEC with a one-line reason in @err. img->interp points
 * into @file, so it is valid only as long as @file is.
 */
int elf_parse(const void *file, size_t size, struct elf_image *img, char *err, size_t errlen);

/*
 * Copy each PT_LOAD of @img (parsed from this same @file) to vaddr + @bias
 * and zero it from filesz to memsz and to the end of its last page (clipped
 * where another segment starts). @map returns a writable pointer to @len
 * bytes of already-mapped process memory at user address @va, or NULL.
 * Returns 0, -EINVAL for a bias the image cannot take, or -EFAULT.
 */
int elf_load(const struct elf_image *img, const void *file, uint64_t bias,
	     void *(*map)(void *ctx, uint64_t va, uint64_t len), void *ctx, char *err,
	     size_t errlen);

struct elf_stack_args {
	const struct elf_image *img; /* the program itself, not its interpreter */
	uint64_t bias;		     /* where @img was loaded */
	uint64_t interp_base;	     /* AT_BASE: the interpreter's bias, 0 if none */
	const char *const *argv;     /* NULL-terminated */
	const char *const *envp;     /* NULL-terminated */
	const char *execfn;	     /* AT_EXECFN: the path run (not NULL) */
	uint64_t random_seed;	     /* expanded into the 16 AT_RANDOM bytes */
	uint32_t uid, euid, gid, egid;
	uint64_t hwcap, hwcap2;
	uint64_t minsigstksz;
};

/*
 * Build the Linux x86_64 initial stack into @stack[0..@size), which stands
 * for user memory [@top_va - @size, @top_va). From the top down: an 8-byte
 * end marker, execfn, envp and argv strings, "x86_64", the AT_RANDOM bytes,
 * then auxv, envp[], argv[] and argc at *@sp, which is 16-byte aligned.
 * Returns 0, or -E2BIG if it does not fit.
 */
int elf_stack_build(const struct elf_stack_args *args, void *stack, size_t size, uint64_t top_va,
		    uint64_t *sp, char *err, size_t errlen);

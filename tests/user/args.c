// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the loader put on the initial stack: argv, envp and the auxiliary
 * vector. The runner starts this program as
 *
 *	LWK_TEST_ENV="args ok" args alpha "beta gamma" ""
 *
 * because an argument with a space and an empty one are what a loader
 * that copies strings gets wrong.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include "lwk_test.h"

static const char *const expected_args[] = { "alpha", "beta gamma", "" };
#define NR_EXPECTED (int)(sizeof(expected_args) / sizeof(expected_args[0]))
#define EXPECTED_ENV "LWK_TEST_ENV=args ok"

/* An ELF64 program header, as the ELF specification lays it out. */
struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header");
#define PT_LOAD 1
#define PT_PHDR 6

extern char _start[];

static void check_args(int argc, char **argv)
{
	printf("argc %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d] \"%s\"\n", i, argv[i]);
	if (argc != NR_EXPECTED + 1)
		fprintf(stderr, "usage: LWK_TEST_ENV=\"args ok\" args alpha \"beta gamma\" \"\"\n");
	EXPECT(argc == NR_EXPECTED + 1);
	EXPECT(argv[0] && strstr(argv[0], "args"));
	for (int i = 0; i < NR_EXPECTED; i++)
		EXPECT(!strcmp(argv[i + 1], expected_args[i]));
	EXPECT(argv[argc] == NULL);
}

static void check_env(int argc, char **argv, char **envp)
{
	int n = 0, found = 0;

	/* envp starts right after argv's NULL, as the ABI lays them out. */
	EXPECT(envp == argv + argc + 1);
	for (; envp[n]; n++)
		found |= !strcmp(envp[n], EXPECTED_ENV);
	printf("%d environment strings\n", n);
	EXPECT(found);
	EXPECT(getenv("LWK_TEST_ENV") && !strcmp(getenv("LWK_TEST_ENV"), "args ok"));
	EXPECT(getenv("LWK_TEST_NO_SUCH_VARIABLE") == NULL);
}

/* AT_PHDR must point at this program's real headers: one PT_LOAD segment
 * holds the entry point. */
static void check_phdrs(unsigned long entry)
{
	const struct elf64_phdr *ph = (const struct elf64_phdr *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM), bias = 0;
	int found = 0;

	EXPECT(ph != NULL);
	EXPECT(getauxval(AT_PHENT) == sizeof(*ph));
	EXPECT(n > 0);
	/* A PIE's addresses are relative: PT_PHDR says where the headers
	 * were linked, AT_PHDR where they are. */
	for (unsigned long i = 0; i < n; i++)
		if (ph[i].type == PT_PHDR)
			bias = (unsigned long)ph - ph[i].vaddr;
	for (unsigned long i = 0; i < n; i++)
		found |= ph[i].type == PT_LOAD && entry - bias - ph[i].vaddr < ph[i].memsz;
	EXPECT(found);
}

static void check_auxv(void)
{
	unsigned long entry = getauxval(AT_ENTRY);
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	int nonzero = 0;

	printf("AT_PAGESZ %lu AT_PHDR %#lx AT_PHNUM %lu AT_ENTRY %#lx\n", getauxval(AT_PAGESZ),
	       getauxval(AT_PHDR), getauxval(AT_PHNUM), entry);
	EXPECT(getauxval(AT_PAGESZ) == 4096);
	EXPECT(entry != 0 && entry == (unsigned long)_start);
	check_phdrs(entry);
	EXPECT(rnd != NULL);
	printf("AT_RANDOM");
	for (int i = 0; i < 16; i++) {
		printf(" %02x", rnd[i]);
		nonzero |= rnd[i];
	}
	printf("\n");
	EXPECT(nonzero); /* 16 zero bytes by chance: 1 in 2^128 */
	errno = 0;
	EXPECT(getauxval(0x7fff) == 0 && errno == ENOENT);
}

/* Entered with a correctly aligned stack, the frame pointer of a function
 * is a multiple of 16 (return address + saved %rbp). */
static __attribute__((noinline)) int stack_is_aligned(void)
{
	return ((uintptr_t)__builtin_frame_address(0) & 15) == 0;
}

int main(int argc, char **argv, char **envp)
{
	check_args(argc, argv);
	check_env(argc, argv, envp);
	check_auxv();
	EXPECT(stack_is_aligned());
	test_pass("args");
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The multiboot2 front end of the shim: walks the boot information GRUB
 * left behind and keeps the command line, the memory map, the modules and
 * the RSDP copy. Layout (multiboot2 specification, "Boot information"):
 *
 *   u32 total_size, u32 reserved,
 *   then tags { u32 type, u32 size, payload }, each starting 8-aligned,
 *   ending with the tag { type 0, size 8 }.
 */
#include <string.h>
#include "shim_internal.h"

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

#define MB2_HEADER_SIZE 8
#define MB2_TAG_HEADER 8
#define MB2_MIN_SIZE 16 /* the header and the end tag */
#define MB2_MAX_SIZE MiB(1)

#define MB2_MODULE_NAME 16  /* mod_start, mod_end, then the string */
#define MB2_MMAP_ENTRIES 16 /* entry_size, entry_version, then entries */
#define MB2_MMAP_ENTRY_MIN 24
#define MB2_MMAP_AVAILABLE 1
#define RSDP_V1_LEN 20

/* A NUL-terminated string filling at most @len bytes, or NULL. */
static const char *mb2_string(const uint8_t *p, size_t len)
{
	return memchr(p, '\0', len) ? (const char *)p : NULL;
}

static int mb2_cmdline(struct shim_state *st, const uint8_t *tag, uint32_t off, uint32_t size)
{
	const char *s = mb2_string(tag + MB2_TAG_HEADER, size - MB2_TAG_HEADER);
	size_t len;

	if (!s)
		return shim_error(
		    st, -EINVAL,
		    "multiboot2: the command line tag at offset 0x%x is not NUL-terminated", off);
	len = strlen(s);
	if (len >= SHIM_CMDLINE_MAX)
		return shim_error(
		    st, -EINVAL,
		    "multiboot2: the command line is %zu bytes; the shim reads at most %d", len,
		    SHIM_CMDLINE_MAX - 1);
	memcpy(st->cmdline, s, len + 1);
	return 0;
}

static int mb2_module(struct shim_state *st, const uint8_t *tag, uint32_t off, uint32_t size)
{
	uint32_t start, end;
	const char *name;

	if (size <= MB2_MODULE_NAME)
		return shim_error(
		    st, -EINVAL, "multiboot2: the module tag at offset 0x%x is too short (size %u)",
		    off, size);
	start = shim_rd32(tag + 8);
	end = shim_rd32(tag + 12);
	name = mb2_string(tag + MB2_MODULE_NAME, size - MB2_MODULE_NAME);
	if (!name)
		return shim_error(st, -EINVAL,
				  "multiboot2: the command line of the module tag at offset 0x%x "
				  "is not NUL-terminated",
				  off);
	if (end < start)
		return shim_error(st, -EINVAL,
				  "multiboot2: the module at offset 0x%x ends before it starts "
				  "(mod_start 0x%x, mod_end 0x%x)",
				  off, start, end);
	if (!strcmp(name, SHIM_BOOTDESC_NAME)) {
		if (st->has_bootdesc)
			return shim_error(st, -EINVAL,
					  "multiboot2: a second module named 'bootdesc' at offset "
					  "0x%x; pass only one",
					  off);
		st->has_bootdesc = true;
		st->bootdesc_pa = start;
		st->bootdesc_size = end - start;
	} else {
		int ret = shim_module_check_program(st, start, end - start);

		if (ret)
			return ret;
	}
	return shim_reserve(st, start, end);
}

/*
 * Usable entries are added first and every other entry is cut out of them
 * afterwards, so that a reserved range overlapping an available one (some
 * firmware does that) wins.
 */
static int mb2_mmap(struct shim_state *st, const uint8_t *tag, uint32_t off, uint32_t size)
{
	uint32_t esz, n;
	int ret = 0;

	if (size < MB2_MMAP_ENTRIES)
		return shim_error(
		    st, -EINVAL,
		    "multiboot2: the memory map tag at offset 0x%x is too short (size %u)", off,
		    size);
	esz = shim_rd32(tag + 8);
	if (esz < MB2_MMAP_ENTRY_MIN || esz % 8)
		return shim_error(st, -EINVAL,
				  "multiboot2: the memory map tag at offset 0x%x has entry_size %u "
				  "(expected a multiple of 8, at least %u)",
				  off, esz, MB2_MMAP_ENTRY_MIN);
	n = (size - MB2_MMAP_ENTRIES) / esz;
	st->has_memmap = true;
	for (uint32_t i = 0; !ret && i < n; i++) {
		const uint8_t *e = tag + MB2_MMAP_ENTRIES + i * esz;

		if (shim_rd32(e + 16) == MB2_MMAP_AVAILABLE)
			ret = shim_ram_add(st, shim_rd64(e), shim_rd64(e + 8));
	}
	for (uint32_t i = 0; !ret && i < n; i++) {
		const uint8_t *e = tag + MB2_MMAP_ENTRIES + i * esz;

		if (shim_rd32(e + 16) != MB2_MMAP_AVAILABLE)
			shim_ram_remove(st, shim_rd64(e), shim_rd64(e + 8));
	}
	return ret;
}

/* Tag 14 holds an ACPI 1.0 RSDP, tag 15 an ACPI 2.0+ one; the newer wins
 * whichever order they come in. */
static int mb2_acpi(struct shim_state *st, const uint8_t *tag, uint32_t off, uint32_t type,
		    uint32_t size)
{
	size_t need = type == MB2_TAG_ACPI_NEW ? SHIM_RSDP_MAX : RSDP_V1_LEN;
	size_t have = size - MB2_TAG_HEADER;

	if (have < need)
		return shim_error(st, -EINVAL,
				  "multiboot2: the ACPI tag at offset 0x%x (type %u) is too short "
				  "for an RSDP (size %u)",
				  off, type, size);
	if (st->rsdp_len >= need)
		return 0;
	memcpy(st->rsdp, tag + MB2_TAG_HEADER, need);
	st->rsdp_len = need;
	return 0;
}

static int mb2_tag(struct shim_state *st, const uint8_t *tag, uint32_t off, uint32_t type,
		   uint32_t size)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		return mb2_cmdline(st, tag, off, size);
	case MB2_TAG_MODULE:
		return mb2_module(st, tag, off, size);
	case MB2_TAG_MMAP:
		return mb2_mmap(st, tag, off, size);
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		return mb2_acpi(st, tag, off, type, size);
	default:
		return 0; /* tags we do not need */
	}
}

static int mb2_walk(struct shim_state *st, const uint8_t *mbi, uint32_t total)
{
	uint32_t off = MB2_HEADER_SIZE;

	for (;;) {
		uint32_t type, size;
		int ret;

		if (off > total || total - off < MB2_TAG_HEADER)
			return shim_error(st, -EINVAL,
					  "multiboot2: no end tag (the tags run to offset 0x%x of "
					  "total_size 0x%x)",
					  off, total);
		type = shim_rd32(mbi + off);
		size = shim_rd32(mbi + off + 4);
		if (size < MB2_TAG_HEADER)
			return shim_error(
			    st, -EINVAL,
			    "multiboot2: the tag at offset 0x%x (type %u) has size %u, less than 8",
			    off, type, size);
		if (size > total - off)
			return shim_error(st, -EINVAL,
					  "multiboot2: the tag at offset 0x%x (type %u) runs past "
					  "the end (size 0x%x, total_size 0x%x)",
					  off, type, size, total);
		if (type == MB2_TAG_END)
			return 0;
		ret = mb2_tag(st, mbi + off, off, type, size);
		if (ret)
			return ret;
		off += ALIGN_UP(size, 8);
	}
}

int shim_from_multiboot2(const struct shim_env *env, uint64_t mbi_pa, void *fdt, size_t fdt_size,
			 char *err, size_t errlen)
{
	struct shim_state *st = shim_state_init(env, "multiboot2", err, errlen);
	const uint8_t *mbi = env->phys(env->ctx, mbi_pa, MB2_HEADER_SIZE);
	uint32_t total;
	int ret;

	if (!mbi)
		return shim_error(st, -EINVAL,
				  "multiboot2: the boot information at 0x%llx is not reachable",
				  (unsigned long long)mbi_pa);
	total = shim_rd32(mbi);
	if (total < MB2_MIN_SIZE || total > MB2_MAX_SIZE)
		return shim_error(st, -EINVAL,
				  "multiboot2: total_size 0x%x at 0x%llx is not sane (expected 16 "
				  "bytes to 1 MiB); is this a multiboot2 boot information?",
				  total, (unsigned long long)mbi_pa);
	mbi = env->phys(env->ctx, mbi_pa, total);
	if (!mbi)
		return shim_error(
		    st, -EINVAL,
		    "multiboot2: the boot information at 0x%llx (0x%x bytes) is not reachable",
		    (unsigned long long)mbi_pa, total);
	ret = mb2_walk(st, mbi, total);
	return ret ? ret : shim_finish(st, fdt, fdt_size);
}

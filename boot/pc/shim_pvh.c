// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PVH front end of the shim: QEMU's -kernel (and Xen) start the kernel
 * at its PVH entry with %ebx pointing at an hvm_start_info (Xen's
 * public/arch-x86/hvm/start_info.h):
 *
 *   0  u32 magic (0x336ec578)     4  u32 version     8  u32 flags
 *  12  u32 nr_modules            16  u64 modlist_paddr
 *  24  u64 cmdline_paddr         32  u64 rsdp_paddr
 *  40  u64 memmap_paddr          48  u32 memmap_entries  52 u32 reserved
 *                                (40..55 only from version 1 on)
 *
 *   memory map entry: u64 addr, u64 size, u32 type (1 = RAM), u32 reserved
 *   module entry:     u64 paddr, u64 size, u64 cmdline_paddr, u64 reserved
 */
#include <string.h>
#include "shim_internal.h"

#define PVH_MAGIC 0x336ec578
#define PVH_INFO_V0_SIZE 40
#define PVH_INFO_V1_SIZE 56
#define PVH_MEMMAP_ENTRY 24
#define PVH_MODULE_ENTRY 32
#define PVH_MEMMAP_RAM 1
/* Far more than any real machine has; larger counts mean a corrupt start
 * info, and refusing them keeps the products below from overflowing. */
#define PVH_MAX_MEMMAP 4096
#define PVH_MAX_MODULES LWK_BD_MAX_RANGES

/* The fields we use, copied out of the untrusted start info. */
struct pvh_info {
	uint32_t nr_modules;
	uint32_t memmap_entries;
	uint64_t modlist_pa;
	uint64_t cmdline_pa;
	uint64_t rsdp_pa;
	uint64_t memmap_pa;
};

static int pvh_read_info(struct shim_state *st, uint64_t pa, struct pvh_info *info)
{
	const uint8_t *p = st->env->phys(st->env->ctx, pa, PVH_INFO_V0_SIZE);
	uint32_t magic, version;

	if (!p)
		return shim_error(st, -EINVAL, "pvh: the start info at 0x%llx is not reachable",
				  (unsigned long long)pa);
	magic = shim_rd32(p);
	version = shim_rd32(p + 4);
	if (magic != PVH_MAGIC)
		return shim_error(st, -EINVAL,
				  "pvh: bad magic 0x%08x in the start info at 0x%llx (expected "
				  "0x%08x); was the kernel entered through its PVH note?",
				  magic, (unsigned long long)pa, PVH_MAGIC);
	if (version < 1)
		return shim_error(
		    st, -EINVAL,
		    "pvh: start info version 0 carries no memory map (need version 1 or later)");
	p = st->env->phys(st->env->ctx, pa, PVH_INFO_V1_SIZE);
	if (!p)
		return shim_error(st, -EINVAL, "pvh: the start info at 0x%llx is not reachable",
				  (unsigned long long)pa);
	info->nr_modules = shim_rd32(p + 12);
	info->modlist_pa = shim_rd64(p + 16);
	info->cmdline_pa = shim_rd64(p + 24);
	info->rsdp_pa = shim_rd64(p + 32);
	info->memmap_pa = shim_rd64(p + 40);
	info->memmap_entries = shim_rd32(p + 48);
	return 0;
}

static int pvh_cmdline(struct shim_state *st, uint64_t pa)
{
	int ret;

	if (!pa)
		return 0;
	ret = shim_read_str(st, pa, st->cmdline, SHIM_CMDLINE_MAX);
	if (ret == -EFAULT)
		return shim_error(st, -EINVAL, "pvh: the command line at 0x%llx is not reachable",
				  (unsigned long long)pa);
	if (ret)
		return shim_error(st, -EINVAL,
				  "pvh: the command line at 0x%llx has no NUL within %d bytes",
				  (unsigned long long)pa, SHIM_CMDLINE_MAX);
	return 0;
}

/* RAM entries first, then every other type cut out of them (see mb2_mmap). */
static int pvh_memmap(struct shim_state *st, const struct pvh_info *info)
{
	uint32_t n = info->memmap_entries;
	const uint8_t *map;
	int ret = 0;

	if (n > PVH_MAX_MEMMAP)
		return shim_error(
		    st, -EINVAL,
		    "pvh: the memory map has %u entries (more than %u); is the start info corrupt?",
		    n, PVH_MAX_MEMMAP);
	st->has_memmap = info->memmap_pa != 0;
	if (!n || !st->has_memmap)
		return 0;
	map = st->env->phys(st->env->ctx, info->memmap_pa, (uint64_t)n * PVH_MEMMAP_ENTRY);
	if (!map)
		return shim_error(st, -EINVAL,
				  "pvh: the memory map at 0x%llx (%u entries) is not reachable",
				  (unsigned long long)info->memmap_pa, n);
	for (uint32_t i = 0; !ret && i < n; i++) {
		const uint8_t *e = map + i * PVH_MEMMAP_ENTRY;

		if (shim_rd32(e + 16) == PVH_MEMMAP_RAM)
			ret = shim_ram_add(st, shim_rd64(e), shim_rd64(e + 8));
	}
	for (uint32_t i = 0; !ret && i < n; i++) {
		const uint8_t *e = map + i * PVH_MEMMAP_ENTRY;

		if (shim_rd32(e + 16) != PVH_MEMMAP_RAM)
			shim_ram_remove(st, shim_rd64(e), shim_rd64(e + 8));
	}
	return ret;
}

/* Is the module's command line exactly "bootdesc"? */
static int pvh_module_is_bootdesc(struct shim_state *st, unsigned int i, uint64_t cmdline_pa,
				  bool *yes)
{
	char name[sizeof(SHIM_BOOTDESC_NAME) + 1];
	int ret;

	*yes = false;
	if (!cmdline_pa)
		return 0;
	ret = shim_read_str(st, cmdline_pa, name, sizeof(name));
	if (ret == -EFAULT)
		return shim_error(st, -EINVAL,
				  "pvh: the command line of module %u at 0x%llx is not reachable",
				  i, (unsigned long long)cmdline_pa);
	*yes = !ret && !strcmp(name, SHIM_BOOTDESC_NAME);
	return 0;
}

static int pvh_module(struct shim_state *st, const struct pvh_info *info, unsigned int i)
{
	uint64_t at = info->modlist_pa + (uint64_t)i * PVH_MODULE_ENTRY;
	const uint8_t *m = st->env->phys(st->env->ctx, at, PVH_MODULE_ENTRY);
	uint64_t pa, size, cmdline_pa;
	bool bootdesc;
	int ret;

	if (!m)
		return shim_error(st, -EINVAL, "pvh: module entry %u at 0x%llx is not reachable", i,
				  (unsigned long long)at);
	pa = shim_rd64(m);
	size = shim_rd64(m + 8);
	cmdline_pa = shim_rd64(m + 16);
	if (size > UINT64_MAX - pa)
		return shim_error(
		    st, -EINVAL,
		    "pvh: module %u (0x%llx, size 0x%llx) runs past the end of the address space",
		    i, (unsigned long long)pa, (unsigned long long)size);
	ret = pvh_module_is_bootdesc(st, i, cmdline_pa, &bootdesc);
	if (!ret && bootdesc) {
		if (st->has_bootdesc)
			return shim_error(
			    st, -EINVAL,
			    "pvh: module %u is a second module named 'bootdesc'; pass only one", i);
		st->has_bootdesc = true;
		st->bootdesc_pa = pa;
		st->bootdesc_size = size;
	} else if (!ret) {
		ret = shim_module_check_program(st, pa, size);
	}
	return ret ? ret : shim_reserve(st, pa, pa + size);
}

static int pvh_modules(struct shim_state *st, const struct pvh_info *info)
{
	int ret = 0;

	if (info->nr_modules > PVH_MAX_MODULES)
		return shim_error(st, -EINVAL,
				  "pvh: %u modules (more than %u); is the start info corrupt?",
				  info->nr_modules, PVH_MAX_MODULES);
	for (unsigned int i = 0; !ret && i < info->nr_modules; i++)
		ret = pvh_module(st, info, i);
	return ret;
}

int shim_from_pvh(const struct shim_env *env, uint64_t start_info_pa, void *fdt, size_t fdt_size,
		  char *err, size_t errlen)
{
	struct shim_state *st = shim_state_init(env, "pvh", err, errlen);
	struct pvh_info info = { 0 };
	int ret = pvh_read_info(st, start_info_pa, &info);

	if (!ret)
		ret = pvh_cmdline(st, info.cmdline_pa);
	if (!ret)
		ret = pvh_memmap(st, &info);
	if (!ret)
		ret = pvh_modules(st, &info);
	if (ret)
		return ret;
	st->rsdp_pa = info.rsdp_pa;
	return shim_finish(st, fdt, fdt_size);
}

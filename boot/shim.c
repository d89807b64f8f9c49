// SPDX-License-Identifier: GPL-2.0-only
/*
 * The generic back end of the boot-description shim. The platform's front
 * ends (boot/pc/shim_mb2.c, shim_pvh.c) fill a struct shim_state from what
 * the loader passed; shim_finish() decides the memory, has the platform
 * pick the cores and the trampoline page (boot/pc/shim_pc.c), and writes
 * it all as the FDT described in uapi/lwk/bootdesc.h.
 */
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <uapi/lwk/abi.h>
#include <uapi/lwk/bare.h>
#include <uapi/lwk/channel.h>
#include <lwk/cmdline.h>
#include "shim_internal.h"

#define PAGE_4K KiB(4)
/* Below 1 MiB the RAM belongs to the AP trampoline at most (the platform
 * picks its page); the LWK gets the rest. */
#define SHIM_LOW_LIMIT MiB(1)

/* About 9 KiB: too much for the boot stack, and the shim runs once, on the boot
 * core, before anything else could call it. */
static struct shim_state shim_state;

struct shim_state *shim_state_init(const struct shim_env *env, const char *who, char *err,
				   size_t errlen)
{
	struct shim_state *st = &shim_state;

	memset(st, 0, sizeof(*st));
	st->env = env;
	st->who = who;
	st->err = err;
	st->errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
	return st;
}

int shim_error(struct shim_state *st, int errno_neg, const char *fmt, ...)
{
	va_list ap;

	if (st->err && st->errlen) {
		va_start(ap, fmt);
		vsnprintf(st->err, st->errlen, fmt, ap);
		va_end(ap);
	}
	return errno_neg;
}

/* ---- sorted, merged range lists ---------------------------------------- */

static uint64_t range_end(const struct bd_range *r)
{
	return r->base + r->size;
}

/*
 * Insert [base, end) into the sorted list @r, absorbing every range it
 * overlaps or touches, so the list stays sorted and merged.
 */
static int ranges_insert(struct bd_range *r, unsigned int *n, unsigned int max, uint64_t base,
			 uint64_t end)
{
	unsigned int i = 0, j;

	while (i < *n && range_end(&r[i]) < base)
		i++;
	for (j = i; j < *n && r[j].base <= end; j++) {
		base = MIN(base, r[j].base);
		end = MAX(end, range_end(&r[j]));
	}
	if (j == i) {
		if (*n == max)
			return -ENOSPC;
		memmove(&r[i + 1], &r[i], (*n - i) * sizeof(*r));
		(*n)++;
	} else {
		memmove(&r[i + 1], &r[j], (*n - j) * sizeof(*r));
		*n -= j - i - 1;
	}
	r[i].base = base;
	r[i].size = end - base;
	return 0;
}

/* Cut [base, end) out of @r; a cut that would split a range when the list
 * is full drops the upper piece, since losing RAM is safe and using
 * reserved memory is not. */
static void ranges_cut(struct bd_range *r, unsigned int *n, unsigned int max, uint64_t base,
		       uint64_t end)
{
	for (unsigned int i = 0; i < *n; i++) {
		uint64_t rb = r[i].base, re = range_end(&r[i]);

		if (re <= base || rb >= end)
			continue;
		if (rb < base) {
			r[i].size = base - rb;
			if (re > end && *n < max) {
				memmove(&r[i + 2], &r[i + 1], (*n - i - 1) * sizeof(*r));
				(*n)++;
				r[++i] = (struct bd_range){ end, re - end };
			}
		} else if (re > end) {
			r[i] = (struct bd_range){ end, re - end };
		} else {
			memmove(&r[i], &r[i + 1], (*n - i - 1) * sizeof(*r));
			(*n)--;
			i--;
		}
	}
}

/* Does one range of @r hold all of [base, end)? (@r is merged.) */
static bool ranges_cover(const struct bd_range *r, unsigned int n, uint64_t base, uint64_t end)
{
	for (unsigned int i = 0; i < n; i++)
		if (r[i].base <= base && end <= range_end(&r[i]))
			return true;
	return false;
}

static bool ranges_overlap(const struct bd_range *r, unsigned int n, uint64_t base, uint64_t end)
{
	for (unsigned int i = 0; i < n; i++)
		if (r[i].base < end && base < range_end(&r[i]))
			return true;
	return false;
}

bool shim_ram_covers(const struct shim_state *st, uint64_t base, uint64_t end)
{
	return ranges_cover(st->ram, st->n_ram, base, end);
}

bool shim_reserved_overlaps(const struct shim_state *st, uint64_t base, uint64_t end)
{
	return ranges_overlap(st->reserved, st->n_reserved, base, end);
}

int shim_ram_add(struct shim_state *st, uint64_t base, uint64_t size)
{
	if (!size)
		return 0;
	if (size > UINT64_MAX - base)
		return shim_error(st, -EINVAL,
				  "%s: memory map entry at 0x%llx (size 0x%llx) runs past the end "
				  "of the address space",
				  st->who, (unsigned long long)base, (unsigned long long)size);
	if (ranges_insert(st->ram, &st->n_ram, SHIM_MAX_RAM, base, base + size))
		return shim_error(st, -EINVAL,
				  "%s: the memory map has more than %u separate usable ranges",
				  st->who, SHIM_MAX_RAM);
	return 0;
}

void shim_ram_remove(struct shim_state *st, uint64_t base, uint64_t size)
{
	uint64_t end = size > UINT64_MAX - base ? UINT64_MAX : base + size;

	if (size)
		ranges_cut(st->ram, &st->n_ram, SHIM_MAX_RAM, base, end);
}

/* Reserve [base, end), widened to whole 4 KiB pages. */
int shim_reserve(struct shim_state *st, uint64_t base, uint64_t end)
{
	if (end <= base)
		return 0;
	base = ALIGN_DOWN(base, PAGE_4K);
	end = end > ALIGN_DOWN(UINT64_MAX, PAGE_4K) ? UINT64_MAX : ALIGN_UP(end, PAGE_4K);
	if (ranges_insert(st->reserved, &st->n_reserved, LWK_BD_MAX_RANGES, base, end))
		return shim_error(st, -EINVAL,
				  "%s: more than %u separate reserved ranges (kernel and modules)",
				  st->who, LWK_BD_MAX_RANGES);
	return 0;
}

/* ---- untrusted strings -------------------------------------------------- */

/*
 * Copy the NUL-terminated string at @pa into @buf. It is read a page at a
 * time because its length is unknown and the page after it may be
 * unreachable. Returns 0, -EFAULT if unreachable, or -E2BIG if no NUL comes
 * within @size bytes (then @buf holds a truncated, terminated copy).
 */
int shim_read_str(struct shim_state *st, uint64_t pa, char *buf, size_t size)
{
	size_t done = 0;

	while (done < size) {
		uint64_t at = pa + done;
		uint64_t chunk = MIN(PAGE_4K - (at & (PAGE_4K - 1)), size - done);
		const char *p, *nul;

		if (at < pa)
			return -EFAULT;
		p = st->env->phys(st->env->ctx, at, chunk);
		if (!p)
			return -EFAULT;
		nul = memchr(p, '\0', chunk);
		if (nul) {
			memcpy(buf + done, p, nul - p + 1);
			return 0;
		}
		memcpy(buf + done, p, chunk);
		done += chunk;
	}
	buf[size - 1] = '\0';
	return -E2BIG;
}

/* ---- memory -------------------------------------------------------------- */

static int shim_reserve_kernel(struct shim_state *st)
{
	const struct shim_env *env = st->env;

	if (env->kernel_end < env->kernel_start)
		return shim_error(
		    st, -EINVAL,
		    "boot description: the kernel image ends (0x%llx) before it starts (0x%llx)",
		    (unsigned long long)env->kernel_end, (unsigned long long)env->kernel_start);
	return shim_reserve(st, env->kernel_start, env->kernel_end);
}

/* lwk.channel=BASE,SIZE: the shared area of a VM partition
 * (uapi/lwk/channel.h). It must be whole pages of RAM above 1 MiB that
 * nothing else uses at boot; it is reserved, so the kernel never hands it
 * out. */
static int shim_parse_channel(struct shim_state *st, const char *v, size_t len)
{
	const char *comma = memchr(v, ',', len);
	uint64_t base, size;

	if (!comma || !cmdline_parse_u64(v, comma - v, UINT64_MAX, &base) ||
	    !cmdline_parse_u64(comma + 1, v + len - comma - 1, UINT64_MAX, &size))
		return shim_error(st, -EINVAL,
				  "%s: '%.*s' is not BASE,SIZE (bytes, decimal or 0x hex, e.g. "
				  "%s=0x1000000,0x400000)",
				  LWK_CHAN_CMDLINE_KEY, (int)MIN(len, 48), v, LWK_CHAN_CMDLINE_KEY);
	if (size > UINT64_MAX - base)
		return shim_error(st, -EINVAL,
				  "%s: base 0x%llx + size 0x%llx runs past the end of the address "
				  "space",
				  LWK_CHAN_CMDLINE_KEY, (unsigned long long)base,
				  (unsigned long long)size);
	st->channel = (struct bd_range){ base, size };
	return 0;
}

static int shim_check_channel(struct shim_state *st)
{
	uint64_t base = st->channel.base, end = base + st->channel.size;

	if (!IS_ALIGNED(base, PAGE_4K) || !IS_ALIGNED(st->channel.size, PAGE_4K))
		return shim_error(st, -EINVAL,
				  "%s: base 0x%llx and size 0x%llx must be multiples of 4 KiB",
				  LWK_CHAN_CMDLINE_KEY, (unsigned long long)base,
				  (unsigned long long)st->channel.size);
	if (st->channel.size < LWK_BD_CHANNEL_MIN_SIZE)
		return shim_error(st, -EINVAL, "%s: size 0x%llx is less than the %u KiB it needs",
				  LWK_CHAN_CMDLINE_KEY, (unsigned long long)st->channel.size,
				  LWK_BD_CHANNEL_MIN_SIZE / 1024);
	if (base < SHIM_LOW_LIMIT || !shim_ram_covers(st, base, end))
		return shim_error(
		    st, -EINVAL,
		    "%s: [0x%llx, 0x%llx) is not inside usable RAM above 1 MiB; pick a "
		    "range the memory map lists as RAM",
		    LWK_CHAN_CMDLINE_KEY, (unsigned long long)base, (unsigned long long)end);
	if (shim_reserved_overlaps(st, base, end))
		return shim_error(
		    st, -EINVAL,
		    "%s: [0x%llx, 0x%llx) overlaps the kernel image or a boot module; "
		    "pick another range",
		    LWK_CHAN_CMDLINE_KEY, (unsigned long long)base, (unsigned long long)end);
	return shim_reserve(st, base, end);
}

static int shim_collect_channel(struct shim_state *st)
{
	size_t len;
	const char *v = cmdline_value(st->cmdline, LWK_CHAN_CMDLINE_KEY, &len);
	int ret;

	if (!v)
		return 0;
	ret = shim_parse_channel(st, v, len);
	if (!ret)
		ret = shim_check_channel(st);
	st->has_channel = !ret;
	return ret;
}

/* lwk,memory: the usable RAM from 1 MiB on, in whole 4 KiB pages (firmware
 * maps may have ranges that start or end inside a page). */
static int shim_clip_memory(struct shim_state *st)
{
	if (!st->has_memmap)
		return shim_error(st, -EINVAL, "%s: the boot loader passed no memory map", st->who);
	for (unsigned int i = 0; i < st->n_ram; i++) {
		uint64_t base = MAX(st->ram[i].base, SHIM_LOW_LIMIT);
		uint64_t end = ALIGN_DOWN(range_end(&st->ram[i]), PAGE_4K);

		if (base > end)
			continue;
		base = ALIGN_UP(base, PAGE_4K);
		if (base >= end)
			continue;
		if (st->n_memory == LWK_BD_MAX_RANGES)
			return shim_error(st, -EINVAL,
					  "%s: the memory map has more than %u separate usable "
					  "ranges above 1 MiB",
					  st->who, LWK_BD_MAX_RANGES);
		st->memory[st->n_memory++] = (struct bd_range){ base, end - base };
	}
	if (!st->n_memory)
		return shim_error(st, -EINVAL, "%s: the memory map has no usable RAM above 1 MiB",
				  st->who);
	return 0;
}

/* ---- writing the FDT ------------------------------------------------------- */

static int fdt_put_ranges(void *fdt, const char *name, const struct bd_range *r, unsigned int n)
{
	uint8_t *val;
	int err = fdt_property_placeholder(fdt, name, n * 16, (void **)&val);

	for (unsigned int i = 0; !err && i < n; i++) {
		fdt64_t cells[2] = { cpu_to_fdt64(r[i].base), cpu_to_fdt64(r[i].size) };

		memcpy(val + i * sizeof(cells), cells, sizeof(cells));
	}
	return err;
}

static int fdt_put_root_props(const struct shim_state *st, void *fdt)
{
	struct bd_range tramp = { st->trampoline, SHIM_TRAMPOLINE_SIZE };
	struct bd_range kernel = { st->env->kernel_start,
				   st->env->kernel_end - st->env->kernel_start };
	int err = fdt_property_string(fdt, "compatible", LWK_BD_COMPATIBLE);

	if (!err)
		err = fdt_property_u32(fdt, LWK_BD_ABI_VERSION, LWK_ABI_VERSION);
	if (!err)
		err = fdt_property_u64(fdt, LWK_BD_TSC_HZ, st->env->tsc_hz);
	if (!err && st->has_wallclock)
		err = fdt_property_u64(fdt, LWK_BD_WALLCLOCK, st->wallclock_offset_ns);
	if (!err)
		err = fdt_put_ranges(fdt, LWK_BD_MEMORY, st->memory, st->n_memory);
	if (!err)
		err = fdt_put_ranges(fdt, LWK_BD_RESERVED, st->reserved, st->n_reserved);
	if (!err)
		err = fdt_put_ranges(fdt, LWK_BD_TRAMPOLINE, &tramp, 1);
	if (!err && st->has_channel)
		err = fdt_put_ranges(fdt, LWK_BD_CHANNEL, &st->channel, 1);
	if (!err)
		err = fdt_put_ranges(fdt, LWK_BD_KERNEL, &kernel, 1);
	if (!err && st->env->uart_port)
		err = fdt_property_u32(fdt, LWK_BD_UART_PORT, st->env->uart_port);
	if (!err && st->env->exit_port)
		err = fdt_property_u32(fdt, LWK_BD_EXIT_PORT, st->env->exit_port);
	return err;
}

/* chosen/bootargs: the whole command line, lwk.cpus included, cut to what
 * the reader accepts. */
static int fdt_put_chosen(const struct shim_state *st, void *fdt)
{
	size_t len = strnlen(st->cmdline, LWK_BD_MAX_BOOTARGS - 1);
	char *val;
	int err = fdt_begin_node(fdt, LWK_BD_CHOSEN + 1);

	if (!err)
		err = fdt_property_placeholder(fdt, LWK_BD_BOOTARGS, len + 1, (void **)&val);
	if (!err) {
		memcpy(val, st->cmdline, len);
		val[len] = '\0';
		err = fdt_end_node(fdt);
	}
	return err;
}

static int fdt_put_cpus(const struct shim_state *st, void *fdt)
{
	int err = fdt_begin_node(fdt, LWK_BD_CPUS + 1);

	if (!err)
		err = fdt_property_u32(fdt, "#address-cells", 1);
	if (!err)
		err = fdt_property_u32(fdt, "#size-cells", 0);
	for (unsigned int i = 0; !err && i < st->n_cpus; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%u", i);
		err = fdt_begin_node(fdt, name);
		if (!err)
			err = fdt_property_u32(fdt, LWK_BD_CPU_REG, st->cpus[i]);
		if (!err)
			err = fdt_end_node(fdt);
	}
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

/* ---- a bare run's program ---------------------------------------------------- */

int shim_module_check_program(struct shim_state *st, uint64_t pa, uint64_t size)
{
	const uint32_t *magic = size >= 4 ? st->env->phys(st->env->ctx, pa, 4) : NULL;

	if (!magic || shim_rd32(magic) != LWK_BARE_MAGIC)
		return 0; /* some other module: not ours to judge */
	if (st->has_program)
		return shim_error(st, -EINVAL,
				  "%s: a second program module at 0x%llx; pass only one", st->who,
				  (unsigned long long)pa);
	st->has_program = true;
	st->program_pa = pa;
	st->program_size = size;
	return 0;
}

/* Is [off, off + len) inside a bundle of @size bytes? */
static bool bundle_has(uint64_t size, uint64_t off, uint64_t len)
{
	return off <= size && len <= size - off;
}

static int bundle_check(struct shim_state *st, const struct lwk_bare_bundle *b)
{
	if (b->abi_version != LWK_ABI_VERSION)
		return shim_error(
		    st, -EINVAL,
		    "program module: ABI version %u, this kernel speaks %u; rebuild lwkctl",
		    b->abi_version, LWK_ABI_VERSION);
	if (b->total_size > st->program_size ||
	    !bundle_has(b->total_size, b->strings_offset, b->strings_size) ||
	    !bundle_has(b->total_size, b->image_offset, b->image_size) || !b->image_size ||
	    !bundle_has(b->total_size, b->interp_offset, b->interp_size) ||
	    b->image_offset % 4096 || b->interp_offset % 4096 || !b->argc)
		return shim_error(st, -EINVAL,
				  "program module: its header does not describe its contents "
				  "(size %llu, module %llu bytes); was it written by this "
				  "build's lwkctl?",
				  (unsigned long long)b->total_size,
				  (unsigned long long)st->program_size);
	return 0;
}

/* Split @n NUL-terminated strings off @s (of @len bytes); the bytes used,
 * or 0 if they do not all fit. */
static uint64_t strings_span(const char *s, uint64_t len, uint32_t n)
{
	uint64_t used = 0;

	for (uint32_t i = 0; i < n; i++) {
		const char *end = memchr(s + used, '\0', len - used);

		if (!end)
			return 0;
		used = end - s + 1;
	}
	return n ? used : 0;
}

/* Validate the bundle and note what /program will say. */
static int shim_check_program(struct shim_state *st)
{
	const struct lwk_bare_bundle *b;
	const char *str;
	uint64_t argv_len, envp_len;
	int err;

	if (!st->has_program)
		return 0;
	b = st->env->phys(st->env->ctx, st->program_pa, sizeof(*b));
	if (!b || st->program_size < sizeof(*b))
		return shim_error(st, -EINVAL, "program module: too small for its header");
	err = bundle_check(st, b);
	if (err)
		return err;
	str = st->env->phys(st->env->ctx, st->program_pa + b->strings_offset, b->strings_size);
	if (!str)
		return shim_error(st, -EINVAL,
				  "program module: its strings at 0x%llx are not reachable",
				  (unsigned long long)(st->program_pa + b->strings_offset));
	argv_len = strings_span(str, b->strings_size, b->argc);
	envp_len = b->envc ? strings_span(str + argv_len, b->strings_size - argv_len, b->envc) : 0;
	if (!argv_len || (b->envc && !envp_len))
		return shim_error(st, -EINVAL, "program module: argv/envp strings are cut short");
	st->program.strings = str;
	st->program.argv_len = argv_len;
	st->program.envp_len = envp_len;
	st->program.image_pa = st->program_pa + b->image_offset;
	st->program.image_size = b->image_size;
	st->program.interp_pa = b->interp_size ? st->program_pa + b->interp_offset : 0;
	st->program.interp_size = b->interp_size;
	st->program.mem = b->mem_bytes;
	st->program.cpus = b->cpus;
	return 0;
}

static int fdt_put_program(const struct shim_state *st, void *fdt)
{
	const char *str = st->program.strings;
	fdt64_t reg[2] = { cpu_to_fdt64(st->program.image_pa),
			   cpu_to_fdt64(st->program.image_size) };
	fdt64_t interp[2] = { cpu_to_fdt64(st->program.interp_pa),
			      cpu_to_fdt64(st->program.interp_size) };
	int err;

	if (!st->has_program)
		return 0;
	err = fdt_begin_node(fdt, LWK_BD_PROGRAM + 1); /* the node name, without '/' */
	if (!err)
		err = fdt_property(fdt, LWK_BD_PROGRAM_REG, reg, sizeof(reg));
	if (!err && st->program.interp_size)
		err = fdt_property(fdt, LWK_BD_PROGRAM_INTERP, interp, sizeof(interp));
	if (!err)
		err = fdt_property(fdt, LWK_BD_PROGRAM_ARGV, str, st->program.argv_len);
	if (!err)
		err = fdt_property(fdt, LWK_BD_PROGRAM_ENVP, str + st->program.argv_len,
				   st->program.envp_len);
	if (!err)
		err = fdt_property_u64(fdt, LWK_BD_PROGRAM_MEM, st->program.mem);
	if (!err)
		err = fdt_property_u32(fdt, LWK_BD_PROGRAM_CPUS, st->program.cpus);
	return err ? err : fdt_end_node(fdt);
}

static int shim_write_fdt(struct shim_state *st, void *fdt, size_t fdt_size)
{
	int size = (int)MIN(fdt_size, (size_t)LWK_BD_MAX_SIZE);
	int err = fdt_create(fdt, size);

	if (!err)
		err = fdt_finish_reservemap(fdt);
	if (!err)
		err = fdt_begin_node(fdt, "");
	if (!err)
		err = fdt_put_root_props(st, fdt);
	if (!err)
		err = fdt_put_chosen(st, fdt);
	if (!err)
		err = fdt_put_cpus(st, fdt);
	if (!err)
		err = fdt_put_program(st, fdt);
	if (!err)
		err = fdt_end_node(fdt);
	if (!err)
		err = fdt_finish(fdt);
	if (err == -FDT_ERR_NOSPACE)
		return shim_error(
		    st, -ENOSPC,
		    "boot description: does not fit in %d bytes; give the shim a larger buffer",
		    size);
	if (err)
		return shim_error(st, -EINVAL, "boot description: libfdt refused to write it (%s)",
				  fdt_strerror(err));
	return 0;
}

/* ---- a ready-made boot description ----------------------------------------- */

/* Only the size and the header are checked here; bootdesc_parse() checks
 * the rest when the kernel reads it. */
static int shim_copy_bootdesc(struct shim_state *st, void *fdt, size_t fdt_size)
{
	uint64_t size = st->bootdesc_size;
	size_t room = MIN(fdt_size, (size_t)LWK_BD_MAX_SIZE);
	const uint8_t *p;
	uint32_t magic, total;

	if (size < sizeof(struct fdt_header))
		return shim_error(st, -EINVAL,
				  "boot description: the 'bootdesc' module is %llu bytes, too "
				  "small for an FDT header",
				  (unsigned long long)size);
	if (size > room)
		return shim_error(
		    st, -EINVAL,
		    "boot description: the 'bootdesc' module is %llu bytes; at most %zu fit",
		    (unsigned long long)size, room);
	p = st->env->phys(st->env->ctx, st->bootdesc_pa, size);
	if (!p)
		return shim_error(
		    st, -EINVAL,
		    "boot description: the 'bootdesc' module at 0x%llx is not reachable",
		    (unsigned long long)st->bootdesc_pa);
	magic = fdt32_to_cpu(shim_rd32(p));
	total = fdt32_to_cpu(shim_rd32(p + 4));
	if (magic != FDT_MAGIC)
		return shim_error(st, -EINVAL,
				  "boot description: the 'bootdesc' module is not an FDT (magic "
				  "0x%08x, expected 0x%08x)",
				  magic, FDT_MAGIC);
	if (total > size)
		return shim_error(st, -EINVAL,
				  "boot description: the 'bootdesc' module's header says %u bytes, "
				  "but the module has only %llu",
				  total, (unsigned long long)size);
	memcpy(fdt, p, size);
	return 0;
}

int shim_finish(struct shim_state *st, void *fdt, size_t fdt_size)
{
	int ret;

	if (st->has_bootdesc)
		return shim_copy_bootdesc(st, fdt, fdt_size);
	if (!st->env->tsc_hz)
		return shim_error(st, -EINVAL,
				  "boot description: the TSC frequency is unknown (tsc_hz is 0)");
	ret = shim_reserve_kernel(st);
	if (!ret)
		ret = shim_collect_channel(st);
	if (!ret)
		ret = shim_clip_memory(st);
	if (!ret)
		ret = shim_pick_trampoline(st);
	if (!ret)
		ret = shim_collect_cpus(st);
	if (!ret)
		ret = shim_check_program(st);
	if (ret)
		return ret;
	shim_collect_wallclock(st);
	return shim_write_fdt(st, fdt, fdt_size);
}

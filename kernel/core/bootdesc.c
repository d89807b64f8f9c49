// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's reader of the boot description (uapi/lwk/bootdesc.h). The
 * FDT comes from outside the kernel (the shim, or lwkctl in partition
 * mode), so every property is checked for presence, size and sense before
 * anything is decoded, and every refusal names what is wrong.
 */
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <lwk/bootdesc.h>
#include <lwk/errno.h>
#include <uapi/lwk/abi.h>

#define BD_RANGE_BYTES 16	   /* u64 base, u64 size */
#define BD_TRAMPOLINE_LIMIT MiB(1) /* real mode reaches no further */
#define BD_PAGE KiB(4)

struct bd_reader {
	const void *fdt;
	struct bootdesc *bd;
	char *err;
	size_t errlen;
};

static __printf(2, 3) int bd_error(struct bd_reader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!r->err || !r->errlen)
		return -EINVAL;
	n = snprintf(r->err, r->errlen, "boot description: ");
	if (n >= 0 && (size_t)n < r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int bd_check_header(struct bd_reader *r, size_t max_size)
{
	uint32_t total;
	int err;

	if (max_size < sizeof(struct fdt_header))
		return bd_error(r,
				"truncated (only %zu bytes available, the FDT header alone is %zu)",
				max_size, sizeof(struct fdt_header));
	if (fdt_magic(r->fdt) != FDT_MAGIC)
		return bd_error(r, "no FDT magic (found 0x%08x, expected 0x%08x)",
				fdt_magic(r->fdt), FDT_MAGIC);
	total = fdt_totalsize(r->fdt);
	if (total > max_size)
		return bd_error(r, "truncated (header says %u bytes, only %zu available)", total,
				max_size);
	if (total > LWK_BD_MAX_SIZE)
		return bd_error(r, "is %u bytes, more than the limit of %u", total,
				LWK_BD_MAX_SIZE);
	err = fdt_check_full(r->fdt, total);
	if (err)
		return bd_error(r, "malformed FDT (%s)", fdt_strerror(err));
	return 0;
}

/*
 * A root property of exactly @size bytes into @out. Returns 0, 1 if it is
 * absent (the caller decides whether that is an error), or -EINVAL.
 */
static int bd_get_fixed(struct bd_reader *r, const char *name, int size, void *out)
{
	int len;
	const void *p = fdt_getprop(r->fdt, 0, name, &len);

	if (!p)
		return 1;
	if (len != size)
		return bd_error(r, "'%s' is %d bytes, expected %d", name, len, size);
	memcpy(out, p, size);
	return 0;
}

static int bd_required(struct bd_reader *r, int ret, const char *name)
{
	return ret == 1 ? bd_error(r, "no '%s' on the root node", name) : ret;
}

static int bd_get_u32(struct bd_reader *r, const char *name, uint32_t *v)
{
	fdt32_t be;
	int ret = bd_get_fixed(r, name, sizeof(be), &be);

	if (!ret)
		*v = fdt32_to_cpu(be);
	return ret;
}

static int bd_get_u64(struct bd_reader *r, const char *name, uint64_t *v)
{
	fdt64_t be;
	int ret = bd_get_fixed(r, name, sizeof(be), &be);

	if (!ret)
		*v = fdt64_to_cpu(be);
	return ret;
}

static void bd_decode_range(const uint8_t *p, struct bd_range *out)
{
	fdt64_t cells[2];

	memcpy(cells, p, sizeof(cells));
	out->base = fdt64_to_cpu(cells[0]);
	out->size = fdt64_to_cpu(cells[1]);
}

static int bd_check_range(struct bd_reader *r, const char *name, unsigned int i,
			  const struct bd_range *range)
{
	if (range->size > UINT64_MAX - range->base)
		return bd_error(r,
				"'%s' range %u (base 0x%llx size 0x%llx) runs past the end of the "
				"address space",
				name, i, (unsigned long long)range->base,
				(unsigned long long)range->size);
	return 0;
}

/* A "base size" list. Returns 0, 1 if absent, or -EINVAL. */
static int bd_get_ranges(struct bd_reader *r, const char *name, struct bd_range *out,
			 unsigned int *n)
{
	int len;
	const uint8_t *p = fdt_getprop(r->fdt, 0, name, &len);
	int ret = 0;

	if (!p)
		return 1;
	if (len % BD_RANGE_BYTES)
		return bd_error(r, "'%s' is %d bytes, not a multiple of %d", name, len,
				BD_RANGE_BYTES);
	if (len / BD_RANGE_BYTES > LWK_BD_MAX_RANGES)
		return bd_error(r, "'%s' has %d ranges, more than %u", name, len / BD_RANGE_BYTES,
				LWK_BD_MAX_RANGES);
	*n = len / BD_RANGE_BYTES;
	for (unsigned int i = 0; !ret && i < *n; i++) {
		bd_decode_range(p + i * BD_RANGE_BYTES, &out[i]);
		ret = bd_check_range(r, name, i, &out[i]);
	}
	return ret;
}

/* A single "base size" pair. Returns 0, 1 if absent, or -EINVAL. */
static int bd_get_range(struct bd_reader *r, const char *name, struct bd_range *out)
{
	uint8_t raw[BD_RANGE_BYTES];
	int ret = bd_get_fixed(r, name, sizeof(raw), raw);

	if (ret)
		return ret;
	bd_decode_range(raw, out);
	return bd_check_range(r, name, 0, out);
}

static int bd_parse_identity(struct bd_reader *r)
{
	int len;
	const char *compat = fdt_getprop(r->fdt, 0, "compatible", &len);
	uint32_t abi = 0;
	int ret;

	if (!compat)
		return bd_error(r, "no 'compatible' on the root node");
	if (fdt_stringlist_contains(compat, len, LWK_BD_COMPATIBLE) != 1)
		return bd_error(r, "'compatible' does not list \"%s\"", LWK_BD_COMPATIBLE);
	ret = bd_required(r, bd_get_u32(r, LWK_BD_ABI_VERSION, &abi), LWK_BD_ABI_VERSION);
	if (ret)
		return ret;
	if (abi != LWK_ABI_VERSION)
		return bd_error(r,
				"'%s' is %u, but this kernel speaks ABI version %u; use the lwkctl "
				"and kernel of the same build",
				LWK_BD_ABI_VERSION, abi, LWK_ABI_VERSION);
	return 0;
}

static int bd_parse_clock(struct bd_reader *r)
{
	struct bootdesc *bd = r->bd;
	int ret = bd_required(r, bd_get_u64(r, LWK_BD_TSC_HZ, &bd->tsc_hz), LWK_BD_TSC_HZ);

	if (ret)
		return ret;
	if (!bd->tsc_hz)
		return bd_error(r, "'%s' is 0", LWK_BD_TSC_HZ);
	ret = bd_get_u64(r, LWK_BD_WALLCLOCK, &bd->wallclock_offset_ns);
	return ret == 1 ? 0 : ret;
}

static int bd_parse_memory(struct bd_reader *r)
{
	struct bootdesc *bd = r->bd;
	int ret = bd_required(r, bd_get_ranges(r, LWK_BD_MEMORY, bd->memory, &bd->n_memory),
			      LWK_BD_MEMORY);
	bool any = false;

	if (ret)
		return ret;
	for (unsigned int i = 0; i < bd->n_memory; i++)
		any |= bd->memory[i].size != 0;
	if (!any)
		return bd_error(r, "'%s' has no nonzero range", LWK_BD_MEMORY);
	ret = bd_get_ranges(r, LWK_BD_RESERVED, bd->reserved, &bd->n_reserved);
	return ret == 1 ? 0 : ret;
}

static int bd_parse_trampoline(struct bd_reader *r)
{
	struct bd_range *t = &r->bd->trampoline;
	int ret = bd_required(r, bd_get_range(r, LWK_BD_TRAMPOLINE, t), LWK_BD_TRAMPOLINE);

	if (ret)
		return ret;
	if (t->base + t->size > BD_TRAMPOLINE_LIMIT)
		return bd_error(r, "'%s' (0x%llx, size 0x%llx) does not lie below 1 MiB",
				LWK_BD_TRAMPOLINE, (unsigned long long)t->base,
				(unsigned long long)t->size);
	if (!IS_ALIGNED(t->base, BD_PAGE))
		return bd_error(r, "'%s' base 0x%llx is not 4 KiB aligned", LWK_BD_TRAMPOLINE,
				(unsigned long long)t->base);
	if (t->size < BD_PAGE)
		return bd_error(r, "'%s' size 0x%llx is less than 4 KiB", LWK_BD_TRAMPOLINE,
				(unsigned long long)t->size);
	/* The kernel writes AP start code there: it must not be memory the
	 * allocator could hand out as well. */
	for (unsigned int i = 0; i < r->bd->n_memory; i++) {
		const struct bd_range *m = &r->bd->memory[i];

		if (t->base < m->base + m->size && m->base < t->base + t->size)
			return bd_error(r,
					"'%s' (0x%llx) overlaps '%s' range %u; it must lie outside "
					"the owned memory",
					LWK_BD_TRAMPOLINE, (unsigned long long)t->base,
					LWK_BD_MEMORY, i);
	}
	return 0;
}

static int bd_parse_log(struct bd_reader *r)
{
	int ret = bd_get_range(r, LWK_BD_LOG, &r->bd->log);

	return ret == 1 ? 0 : ret;
}

static bool bd_range_covers(const struct bd_range *r, unsigned int n, const struct bd_range *x)
{
	for (unsigned int i = 0; i < n; i++)
		if (r[i].base <= x->base && x->base + x->size <= r[i].base + r[i].size)
			return true;
	return false;
}

/* The channel is shared with Linux: it must be owned memory that the
 * allocator never hands out, so it joins the reserved list if the
 * producer did not put it there. */
static int bd_parse_channel(struct bd_reader *r)
{
	struct bootdesc *bd = r->bd;
	const struct bd_range *c = &bd->channel;
	int ret = bd_get_range(r, LWK_BD_CHANNEL, &bd->channel);

	if (ret)
		return ret == 1 ? 0 : ret;
	if (!IS_ALIGNED(c->base, BD_PAGE) || !IS_ALIGNED(c->size, BD_PAGE))
		return bd_error(r, "'%s' (0x%llx, size 0x%llx) is not 4 KiB aligned",
				LWK_BD_CHANNEL, (unsigned long long)c->base,
				(unsigned long long)c->size);
	if (c->size < LWK_BD_CHANNEL_MIN_SIZE)
		return bd_error(r, "'%s' size 0x%llx is less than the %u KiB the channel needs",
				LWK_BD_CHANNEL, (unsigned long long)c->size,
				LWK_BD_CHANNEL_MIN_SIZE / 1024);
	if (!bd_range_covers(bd->memory, bd->n_memory, c))
		return bd_error(r, "'%s' (0x%llx, size 0x%llx) does not lie inside one '%s' range",
				LWK_BD_CHANNEL, (unsigned long long)c->base,
				(unsigned long long)c->size, LWK_BD_MEMORY);
	if (bd_range_covers(bd->reserved, bd->n_reserved, c))
		return 0;
	if (bd->n_reserved == LWK_BD_MAX_RANGES)
		return bd_error(r, "'%s' has %u ranges and no room to reserve '%s' as well",
				LWK_BD_RESERVED, LWK_BD_MAX_RANGES, LWK_BD_CHANNEL);
	bd->reserved[bd->n_reserved++] = *c;
	return 0;
}

/* The doorbell is a fixed interrupt to a Linux core: vectors below 32 are
 * exceptions, and the core must not be one of ours (checked once the cores
 * are known, in bd_check_notify). */
static int bd_parse_notify(struct bd_reader *r)
{
	fdt32_t ipi[2];
	int ret = bd_get_fixed(r, LWK_BD_NOTIFY_IPI, sizeof(ipi), ipi);

	if (ret)
		return ret == 1 ? 0 : ret;
	r->bd->has_notify_ipi = true;
	r->bd->notify_vector = fdt32_to_cpu(ipi[0]);
	r->bd->notify_apic_id = fdt32_to_cpu(ipi[1]);
	if (r->bd->notify_vector < 32 || r->bd->notify_vector > 255)
		return bd_error(r, "'%s' vector %u is not an interrupt vector (32-255)",
				LWK_BD_NOTIFY_IPI, r->bd->notify_vector);
	return 0;
}

static int bd_check_notify(struct bd_reader *r)
{
	const struct bootdesc *bd = r->bd;

	for (unsigned int i = 0; bd->has_notify_ipi && i < bd->n_cpus; i++)
		if (bd->cpu_apic_id[i] == bd->notify_apic_id)
			return bd_error(r,
					"'%s' names APIC ID 0x%x, which is cpu@%u of the LWK; it "
					"must be a Linux core",
					LWK_BD_NOTIFY_IPI, bd->notify_apic_id, i);
	return 0;
}

/* lwk,kernel: where the image runs, 2 MiB aligned (the kernel checks it
 * against where it does run, and never hands that memory out). */
static int bd_parse_kernel(struct bd_reader *r)
{
	struct bootdesc *bd = r->bd;
	const struct bd_range *k = &bd->kernel;
	int ret = bd_get_range(r, LWK_BD_KERNEL, &bd->kernel);

	if (ret)
		return ret == 1 ? 0 : ret;
	if (!IS_ALIGNED(k->base, MiB(2)) || !k->size)
		return bd_error(r, "'%s' (0x%llx, size 0x%llx) is empty or not 2 MiB aligned",
				LWK_BD_KERNEL, (unsigned long long)k->base,
				(unsigned long long)k->size);
	return 0;
}

/* An I/O port number, optional. */
static int bd_get_port(struct bd_reader *r, const char *name, bool *has, uint32_t *port)
{
	int ret = bd_get_u32(r, name, port);

	if (ret)
		return ret == 1 ? 0 : ret;
	if (!*port || *port > 0xffff)
		return bd_error(r, "'%s' is 0x%x, not an I/O port (1-0xffff)", name, *port);
	*has = true;
	return 0;
}

static int bd_parse_devices(struct bd_reader *r)
{
	struct bootdesc *bd = r->bd;
	int ret = bd_get_port(r, LWK_BD_UART_PORT, &bd->has_uart_port, &bd->uart_port);

	return ret ? ret : bd_get_port(r, LWK_BD_EXIT_PORT, &bd->has_exit_port, &bd->exit_port);
}

/* A string list property of /program: NUL-terminated strings, or empty. */
static int bd_program_strings(struct bd_reader *r, int node, const char *name, const char **out,
			      uint32_t *len)
{
	int n;
	const char *p = fdt_getprop(r->fdt, node, name, &n);

	if (!p)
		return bd_error(r, "'%s/%s' is missing", LWK_BD_PROGRAM, name);
	if (n > 0 && p[n - 1] != '\0')
		return bd_error(r, "'%s/%s' does not end in a NUL", LWK_BD_PROGRAM, name);
	*out = p;
	*len = n;
	return 0;
}

/*
 * A base/size pair of /program. Returns 0, 1 if absent, or -EINVAL.
 * Decoded bytewise: an FDT property is only 4-byte aligned.
 */
static int bd_program_range(struct bd_reader *r, int node, const char *name, unsigned int i,
			    struct bd_range *out)
{
	int len;
	const uint8_t *p = fdt_getprop(r->fdt, node, name, &len);

	if (!p)
		return 1;
	if (len != BD_RANGE_BYTES)
		return bd_error(r, "'%s/%s' must be one 16-byte base/size pair", LWK_BD_PROGRAM,
				name);
	bd_decode_range(p, out);
	return bd_check_range(r, LWK_BD_PROGRAM, i, out);
}

/* An optional number of /program (absent: 0) of exactly @size bytes. */
static int bd_program_number(struct bd_reader *r, int node, const char *name, int size, uint64_t *v)
{
	int len;
	const void *p = fdt_getprop(r->fdt, node, name, &len);

	*v = 0;
	if (!p)
		return 0;
	if (len != size)
		return bd_error(r, "'%s/%s' is %d bytes, expected %d", LWK_BD_PROGRAM, name, len,
				size);
	*v = size == 8 ? fdt64_ld(p) : fdt32_ld(p);
	return 0;
}

static int bd_parse_program(struct bd_reader *r)
{
	int node = fdt_path_offset(r->fdt, LWK_BD_PROGRAM);
	struct bootdesc *bd = r->bd;
	uint64_t cpus;
	int ret;

	if (node < 0)
		return 0; /* no bare run */
	ret = bd_program_range(r, node, LWK_BD_PROGRAM_REG, 0, &bd->program.image);
	if (ret == 1)
		ret = bd_error(r, "'%s/%s' is missing", LWK_BD_PROGRAM, LWK_BD_PROGRAM_REG);
	if (!ret)
		ret = bd_program_range(r, node, LWK_BD_PROGRAM_INTERP, 1, &bd->program.interp);
	if (ret == 1)
		ret = 0; /* no interpreter: interp.size stays 0 */
	if (!ret)
		ret = bd_program_strings(r, node, LWK_BD_PROGRAM_ARGV, &bd->program.argv,
					 &bd->program.argv_len);
	if (!ret)
		ret = bd_program_strings(r, node, LWK_BD_PROGRAM_ENVP, &bd->program.envp,
					 &bd->program.envp_len);
	if (!ret && !bd->program.argv_len)
		ret = bd_error(r, "'%s/%s' is empty: a program needs argv[0]", LWK_BD_PROGRAM,
			       LWK_BD_PROGRAM_ARGV);
	if (!ret)
		ret = bd_program_number(r, node, LWK_BD_PROGRAM_MEM, 8, &bd->program.mem);
	if (!ret)
		ret = bd_program_number(r, node, LWK_BD_PROGRAM_CPUS, 4, &cpus);
	if (ret)
		return ret;
	bd->program.cpus = cpus;
	bd->program.present = true;
	return 0;
}

static int bd_parse_bootargs(struct bd_reader *r)
{
	int node = fdt_path_offset(r->fdt, LWK_BD_CHOSEN);
	const char *args;
	int len;

	if (node < 0)
		return 0;
	args = fdt_getprop(r->fdt, node, LWK_BD_BOOTARGS, &len);
	if (!args)
		return 0;
	if (len > LWK_BD_MAX_BOOTARGS)
		return bd_error(r, "%s/%s is %d bytes, more than %d", LWK_BD_CHOSEN,
				LWK_BD_BOOTARGS, len, LWK_BD_MAX_BOOTARGS);
	if (!memchr(args, '\0', len))
		return bd_error(r, "%s/%s is not NUL-terminated", LWK_BD_CHOSEN, LWK_BD_BOOTARGS);
	memcpy(r->bd->bootargs, args, strlen(args) + 1);
	return 0;
}

/* cpu@N must be the N-th node, so that N is the logical CPU number. */
static int bd_parse_cpu(struct bd_reader *r, int node, unsigned int index)
{
	const char *name = fdt_get_name(r->fdt, node, NULL);
	const fdt32_t *reg;
	char want[16];
	uint32_t id;
	int len;

	if (index >= LWK_BD_MAX_CPUS)
		return bd_error(r, "%s has more than %u cpu nodes", LWK_BD_CPUS, LWK_BD_MAX_CPUS);
	snprintf(want, sizeof(want), "cpu@%u", index);
	if (!name || strcmp(name, want))
		return bd_error(
		    r,
		    "%s/%s is out of place: node %u must be %s (cpu@N run 0, 1, 2, ... in order)",
		    LWK_BD_CPUS, name ? name : "?", index, want);
	reg = fdt_getprop(r->fdt, node, LWK_BD_CPU_REG, &len);
	if (!reg)
		return bd_error(r, "%s/%s has no '%s'", LWK_BD_CPUS, name, LWK_BD_CPU_REG);
	if (len != sizeof(*reg))
		return bd_error(r, "%s/%s: '%s' is %d bytes, expected 4", LWK_BD_CPUS, name,
				LWK_BD_CPU_REG, len);
	id = fdt32_ld(reg);
	for (unsigned int i = 0; i < index; i++)
		if (r->bd->cpu_apic_id[i] == id)
			return bd_error(r, "%s/%s has APIC ID %u (0x%x), like %s/cpu@%u",
					LWK_BD_CPUS, name, id, id, LWK_BD_CPUS, i);
	r->bd->cpu_apic_id[index] = id;
	return 0;
}

static int bd_parse_cpus(struct bd_reader *r)
{
	int cpus = fdt_path_offset(r->fdt, LWK_BD_CPUS);
	unsigned int n = 0;
	int node, ret;

	if (cpus < 0)
		return bd_error(r, "no %s node", LWK_BD_CPUS);
	fdt_for_each_subnode(node, r->fdt, cpus)
	{
		ret = bd_parse_cpu(r, node, n++);
		if (ret)
			return ret;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return bd_error(r, "%s: %s", LWK_BD_CPUS, fdt_strerror(node));
	if (!n)
		return bd_error(r, "%s has no cpu@N nodes", LWK_BD_CPUS);
	r->bd->n_cpus = n;
	return 0;
}

int bootdesc_parse(const void *fdt, size_t max_size, struct bootdesc *bd, char *err, size_t errlen)
{
	struct bd_reader r = { fdt, bd, err, errlen };
	int ret;

	memset(bd, 0, sizeof(*bd));
	if (err && errlen)
		err[0] = '\0';
	ret = bd_check_header(&r, max_size);
	if (!ret)
		ret = bd_parse_identity(&r);
	if (!ret)
		ret = bd_parse_clock(&r);
	if (!ret)
		ret = bd_parse_memory(&r);
	if (!ret)
		ret = bd_parse_trampoline(&r);
	if (!ret)
		ret = bd_parse_log(&r);
	if (!ret)
		ret = bd_parse_channel(&r);
	if (!ret)
		ret = bd_parse_notify(&r);
	if (!ret)
		ret = bd_parse_kernel(&r);
	if (!ret)
		ret = bd_parse_devices(&r);
	if (!ret)
		ret = bd_parse_bootargs(&r);
	if (!ret)
		ret = bd_parse_cpus(&r);
	if (!ret)
		ret = bd_check_notify(&r);
	if (!ret)
		ret = bd_parse_program(&r);
	return ret;
}

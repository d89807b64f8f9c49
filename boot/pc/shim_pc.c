// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PC platform's part of the boot description: which cores (every
 * enabled one of the ACPI MADT, or the APIC IDs lwk.cpus names) and where
 * the page for the AP trampoline goes (real mode needs it low). The
 * generic back end (boot/shim.c) asks for both from shim_finish().
 */
#include <string.h>
#include <lwk/cmdline.h>
#include "shim_internal.h"

/* The trampoline must sit in conventional memory (below the EBDA and the
 * VGA hole at 640 KiB) and never on page 0, the real-mode IVT. 0x8000 is
 * preferred because boot loaders and the BIOS data area leave it alone. */
#define SHIM_TRAMPOLINE_MIN 0x1000
#define SHIM_TRAMPOLINE_END 0xA0000
#define SHIM_TRAMPOLINE_PREFERRED 0x8000
#define SHIM_CPUS_KEY "lwk.cpus"

/* ---- cores ------------------------------------------------------------------- */

static bool cpus_contain(const struct shim_state *st, uint32_t apic_id)
{
	for (unsigned int i = 0; i < st->n_cpus; i++)
		if (st->cpus[i] == apic_id)
			return true;
	return false;
}

/* Add a core unless it is listed already. Cores beyond LWK_BD_MAX_CPUS are
 * left out: the kernel cannot use them, and booting with fewer beats not
 * booting. */
void shim_cpu_add(struct shim_state *st, uint32_t apic_id)
{
	if (st->n_cpus < LWK_BD_MAX_CPUS && !cpus_contain(st, apic_id))
		st->cpus[st->n_cpus++] = apic_id;
}

static bool parse_apic_id(const char *s, size_t len, uint32_t *id)
{
	uint64_t v;

	if (!cmdline_parse_u64(s, len, UINT32_MAX, &v))
		return false;
	*id = v;
	return true;
}

static int cpus_override_add(struct shim_state *st, uint32_t id)
{
	uint32_t boot = st->env->boot_apic_id;

	if (!st->n_cpus && id != boot)
		return shim_error(st, -EINVAL,
				  "lwk.cpus: the first ID must be the boot core's APIC ID %u "
				  "(0x%x), not %u (0x%x)",
				  boot, boot, id, id);
	if (cpus_contain(st, id))
		return shim_error(st, -EINVAL, "lwk.cpus: APIC ID %u (0x%x) is listed twice", id,
				  id);
	if (st->n_cpus == LWK_BD_MAX_CPUS)
		return shim_error(st, -EINVAL, "lwk.cpus: more than %u APIC IDs", LWK_BD_MAX_CPUS);
	st->cpus[st->n_cpus++] = id;
	return 0;
}

/* lwk.cpus=ID,ID,...: exactly these cores, in this order. */
static int cpus_from_override(struct shim_state *st, const char *v, size_t len)
{
	const char *end = v + len;

	st->n_cpus = 0;
	for (;;) {
		const char *comma = memchr(v, ',', end - v);
		const char *item_end = comma ? comma : end;
		uint32_t id;
		int ret;

		if (!parse_apic_id(v, item_end - v, &id))
			return shim_error(
			    st, -EINVAL,
			    "lwk.cpus: '%.*s' is not an APIC ID (use decimal or 0x hex, "
			    "comma-separated, boot core first)",
			    (int)MIN(item_end - v, 32), v);
		ret = cpus_override_add(st, id);
		if (ret)
			return ret;
		if (!comma)
			return 0;
		v = comma + 1;
	}
}

/* The boot core first, then the others of the MADT, unless the command
 * line names them. With an override the MADT is not read at all, which
 * also lets a user boot past broken firmware tables. */
int shim_collect_cpus(struct shim_state *st)
{
	size_t len;
	const char *v = cmdline_value(st->cmdline, SHIM_CPUS_KEY, &len);

	if (v)
		return cpus_from_override(st, v, len);
	st->n_cpus = 0;
	shim_cpu_add(st, st->env->boot_apic_id);
	return shim_acpi_add_cpus(st);
}

/* ---- the AP trampoline ------------------------------------------------------ */

static bool trampoline_fits(const struct shim_state *st, uint64_t pa)
{
	uint64_t end = pa + SHIM_TRAMPOLINE_SIZE;

	return shim_ram_covers(st, pa, end) && !shim_reserved_overlaps(st, pa, end);
}

int shim_pick_trampoline(struct shim_state *st)
{
	uint64_t pa = SHIM_TRAMPOLINE_PREFERRED;

	if (!trampoline_fits(st, pa)) {
		for (pa = SHIM_TRAMPOLINE_MIN; pa + SHIM_TRAMPOLINE_SIZE <= SHIM_TRAMPOLINE_END;
		     pa += SHIM_TRAMPOLINE_SIZE)
			if (trampoline_fits(st, pa))
				break;
	}
	if (pa + SHIM_TRAMPOLINE_SIZE > SHIM_TRAMPOLINE_END)
		return shim_error(st, -EINVAL,
				  "%s: no usable page below 640 KiB for the AP trampoline (the "
				  "memory map has no free RAM in 0x1000-0x9ffff)",
				  st->who);
	st->trampoline = pa;
	return 0;
}

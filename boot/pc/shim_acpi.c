// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ACPI part of the shim: RSDP -> XSDT (or RSDT) -> MADT, for the APIC
 * IDs of the enabled cores. Layouts (ACPI 6.x, 5.2):
 *
 *   RSDP  0 "RSD PTR "  8 checksum (first 20 bytes)  9 OEM ID  15 revision
 *        16 u32 rsdt    20 u32 length  24 u64 xsdt  32 extended checksum
 *   table header (36 bytes): 0 signature  4 u32 length  8 revision
 *        9 checksum (whole table) ...; XSDT/RSDT entries follow it
 *   MADT 36 u32 local APIC address  40 u32 flags  44 entries {u8 type, u8 len}
 *        type 0: 2 u8 ACPI ID  3 u8 APIC ID  4 u32 flags
 *        type 9: 2 u16 reserved  4 u32 x2APIC ID  8 u32 flags  12 u32 UID
 *
 * Tables that fail their checksum are refused, not worked around: what the
 * firmware left corrupted is not to be trusted for anything else either.
 */
#include <string.h>
#include "shim_internal.h"

#define RSDP_SIG "RSD PTR "
#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36
#define SDT_HEADER_LEN 36
#define MADT_ENTRIES 44
#define ACPI_MAX_TABLE MiB(1) /* sanity bound on a table's length */
#define BIOS_AREA_START 0xE0000
#define BIOS_AREA_SIZE 0x20000

#define MADT_LOCAL_APIC 0
#define MADT_LOCAL_X2APIC 9
#define MADT_LOCAL_APIC_LEN 8
#define MADT_LOCAL_X2APIC_LEN 16
#define MADT_ENABLED 1 /* bit 1, online capable, means "not started yet" */

static uint8_t acpi_sum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

/* A signature for a message: four characters, non-printable ones as '?'. */
static void acpi_sig_text(const uint8_t *sig, char out[5])
{
	for (int i = 0; i < 4; i++)
		out[i] = sig[i] >= 0x20 && sig[i] < 0x7f ? sig[i] : '?';
	out[4] = '\0';
}

static int rsdp_check(struct shim_state *st, const uint8_t *r, size_t len, const char *where)
{
	uint32_t length;

	if (memcmp(r, RSDP_SIG, 8))
		return shim_error(st, -EINVAL, "acpi: the RSDP %s has no 'RSD PTR ' signature",
				  where);
	if (acpi_sum(r, RSDP_V1_LEN))
		return shim_error(st, -EINVAL, "acpi: RSDP checksum mismatch (RSDP %s)", where);
	if (r[15] < 2 || len < RSDP_V2_LEN)
		return 0;
	length = shim_rd32(r + 20);
	if (length < RSDP_V2_LEN || length > len)
		return shim_error(st, -EINVAL,
				  "acpi: the RSDP %s has a bad length %u (expected %u)", where,
				  length, RSDP_V2_LEN);
	if (acpi_sum(r, length))
		return shim_error(st, -EINVAL, "acpi: RSDP extended checksum mismatch (RSDP %s)",
				  where);
	return 0;
}

/* The legacy way: an RSDP on a 16-byte boundary in the BIOS area whose
 * first 20 bytes add up; other "RSD PTR " strings there are not it. */
static size_t rsdp_scan(struct shim_state *st, uint8_t *out)
{
	const uint8_t *area = st->env->phys(st->env->ctx, BIOS_AREA_START, BIOS_AREA_SIZE);

	if (!area)
		return 0;
	for (size_t off = 0; off + RSDP_V1_LEN <= BIOS_AREA_SIZE; off += 16) {
		const uint8_t *r = area + off;
		size_t len = MIN((size_t)RSDP_V2_LEN, BIOS_AREA_SIZE - off);

		if (!memcmp(r, RSDP_SIG, 8) && !acpi_sum(r, RSDP_V1_LEN)) {
			memcpy(out, r, len);
			return len;
		}
	}
	return 0;
}

static size_t rsdp_read(struct shim_state *st, uint64_t pa, uint8_t *out)
{
	const uint8_t *r = st->env->phys(st->env->ctx, pa, RSDP_V2_LEN);
	size_t len = RSDP_V2_LEN;

	if (!r) {
		r = st->env->phys(st->env->ctx, pa, RSDP_V1_LEN);
		len = RSDP_V1_LEN;
	}
	if (!r)
		return 0;
	memcpy(out, r, len);
	return len;
}

/*
 * Find and check the RSDP: the loader's copy, else the address the loader
 * gave, else a scan. Returns its length in @out, 0 if there is none, or a
 * negative errno.
 */
static int acpi_get_rsdp(struct shim_state *st, uint8_t *out)
{
	const char *where = "from the boot loader";
	size_t len;
	int ret;

	if (st->rsdp_len) {
		len = st->rsdp_len;
		memcpy(out, st->rsdp, len);
	} else if (st->rsdp_pa) {
		len = rsdp_read(st, st->rsdp_pa, out);
		if (!len)
			return shim_error(st, -EINVAL, "acpi: the RSDP at 0x%llx is not reachable",
					  (unsigned long long)st->rsdp_pa);
	} else {
		where = "in the BIOS area";
		len = rsdp_scan(st, out);
		if (!len)
			return 0;
	}
	ret = rsdp_check(st, out, len, where);
	return ret ? ret : (int)len;
}

/* Map a whole table after checking its signature, length and checksum. */
static int acpi_table(struct shim_state *st, uint64_t pa, const char *sig, const char *name,
		      uint32_t min_len, const uint8_t **out, uint32_t *len_out)
{
	const uint8_t *t = st->env->phys(st->env->ctx, pa, SDT_HEADER_LEN);
	uint32_t len;
	char text[5];

	if (!t)
		return shim_error(st, -EINVAL, "acpi: the %s at 0x%llx is not reachable", name,
				  (unsigned long long)pa);
	if (memcmp(t, sig, 4)) {
		acpi_sig_text(t, text);
		return shim_error(st, -EINVAL,
				  "acpi: the table at 0x%llx is not the %s (signature '%s')",
				  (unsigned long long)pa, name, text);
	}
	len = shim_rd32(t + 4);
	if (len < min_len || len > ACPI_MAX_TABLE)
		return shim_error(st, -EINVAL, "acpi: the %s at 0x%llx has a bad length %u", name,
				  (unsigned long long)pa, len);
	t = st->env->phys(st->env->ctx, pa, len);
	if (!t)
		return shim_error(st, -EINVAL, "acpi: the %s at 0x%llx (%u bytes) is not reachable",
				  name, (unsigned long long)pa, len);
	if (acpi_sum(t, len))
		return shim_error(st, -EINVAL, "acpi: %s checksum mismatch (table at 0x%llx)", name,
				  (unsigned long long)pa);
	*out = t;
	*len_out = len;
	return 0;
}

/* Is the table at @pa the MADT? A pointer to an unreachable table is
 * skipped: only the MADT matters here, and another table's bad pointer must
 * not stop the boot. */
static bool acpi_is_madt(struct shim_state *st, uint64_t pa)
{
	const uint8_t *t = st->env->phys(st->env->ctx, pa, SDT_HEADER_LEN);

	return t && !memcmp(t, "APIC", 4);
}

/* The MADT's address in *madt: returns 1 if found, 0 if not, or -errno. */
static int acpi_find_madt(struct shim_state *st, const uint8_t *rsdp, size_t rsdp_len,
			  uint64_t *madt)
{
	bool use_xsdt = rsdp[15] >= 2 && rsdp_len >= RSDP_V2_LEN && shim_rd64(rsdp + 24);
	uint64_t root = use_xsdt ? shim_rd64(rsdp + 24) : shim_rd32(rsdp + 16);
	unsigned int esz = use_xsdt ? 8 : 4;
	const uint8_t *t;
	uint32_t len;
	int ret;

	if (!root)
		return 0;
	ret = acpi_table(st, root, use_xsdt ? "XSDT" : "RSDT", use_xsdt ? "XSDT" : "RSDT",
			 SDT_HEADER_LEN, &t, &len);
	if (ret)
		return ret;
	for (uint32_t off = SDT_HEADER_LEN; off + esz <= len; off += esz) {
		/* Read the entry anew: acpi_is_madt() may map other memory. */
		t = st->env->phys(st->env->ctx, root + off, esz);
		if (!t)
			continue;
		*madt = esz == 8 ? shim_rd64(t) : shim_rd32(t);
		if (acpi_is_madt(st, *madt))
			return 1;
	}
	return 0;
}

static int madt_entry(struct shim_state *st, const uint8_t *e, uint32_t off)
{
	uint8_t type = e[0], len = e[1];

	if (type == MADT_LOCAL_APIC) {
		if (len < MADT_LOCAL_APIC_LEN)
			goto short_entry;
		if (shim_rd32(e + 4) & MADT_ENABLED)
			shim_cpu_add(st, e[3]);
	} else if (type == MADT_LOCAL_X2APIC) {
		if (len < MADT_LOCAL_X2APIC_LEN)
			goto short_entry;
		if (shim_rd32(e + 8) & MADT_ENABLED)
			shim_cpu_add(st, shim_rd32(e + 4));
	}
	return 0;
short_entry:
	return shim_error(st, -EINVAL,
			  "acpi: MADT entry at offset 0x%x (type %u) is too short (length %u)", off,
			  type, len);
}

static int acpi_walk_madt(struct shim_state *st, uint64_t pa)
{
	const uint8_t *t;
	uint32_t len, off;
	int ret = acpi_table(st, pa, "APIC", "MADT", MADT_ENTRIES, &t, &len);

	if (ret)
		return ret;
	for (off = MADT_ENTRIES; off < len; off += t[off + 1]) {
		if (len - off < 2)
			return shim_error(st, -EINVAL,
					  "acpi: MADT entry at offset 0x%x is cut off by the end "
					  "of the table (length %u)",
					  off, len);
		if (t[off + 1] < 2 || t[off + 1] > len - off)
			return shim_error(
			    st, -EINVAL,
			    "acpi: MADT entry at offset 0x%x (type %u) has a bad length %u", off,
			    t[off], t[off + 1]);
		ret = madt_entry(st, t + off, off);
		if (ret)
			return ret;
	}
	return 0;
}

int shim_acpi_add_cpus(struct shim_state *st)
{
	uint8_t rsdp[SHIM_RSDP_MAX];
	uint64_t madt = 0;
	int ret = acpi_get_rsdp(st, rsdp);

	if (ret <= 0)
		return ret; /* no ACPI: the boot core alone, or an error */
	ret = acpi_find_madt(st, rsdp, ret, &madt);
	if (ret <= 0)
		return ret; /* no MADT: the boot core alone, or an error */
	return acpi_walk_madt(st, madt);
}

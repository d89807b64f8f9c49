/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to the shim: the facts the PC loader front ends
 * (boot/pc/shim_mb2.c, shim_pvh.c) collect, the generic back end
 * (boot/shim.c) that turns them into the boot description, and the PC
 * platform's choices it asks for (boot/pc/shim_pc.c, shim_acpi.c,
 * shim_rtc.c).
 *
 * Everything the loader handed over is untrusted: the front ends validate
 * each structure before they use it, and copy what they keep into the state
 * so that no pointer from env->phys() outlives the step that asked for it.
 */
#pragma once

#include <string.h>
#include <lwk/bootdesc.h>
#include <lwk/errno.h>
#include <lwk/types.h>
#include "shim.h"

/* Usable RAM is kept whole (below 1 MiB too, for the trampoline) and is
 * clipped only when written out, so it may hold more than the output. */
#define SHIM_MAX_RAM (2 * LWK_BD_MAX_RANGES)
/* Longest command line the shim reads; bootargs keep only the first
 * LWK_BD_MAX_BOOTARGS - 1 bytes, but lwk.cpus may sit further on. */
#define SHIM_CMDLINE_MAX 4096
#define SHIM_RSDP_MAX 36
#define SHIM_BOOTDESC_NAME "bootdesc"

struct shim_state {
	const struct shim_env *env;
	char *err;
	size_t errlen;
	const char *who; /* "multiboot2" or "pvh": the prefix of messages */

	char cmdline[SHIM_CMDLINE_MAX];
	bool has_memmap;
	struct bd_range ram[SHIM_MAX_RAM]; /* sorted, merged, unclipped */
	unsigned int n_ram;
	struct bd_range reserved[LWK_BD_MAX_RANGES]; /* sorted, merged */
	unsigned int n_reserved;

	/* The RSDP: a copy from the loader, else an address, else a scan. */
	uint8_t rsdp[SHIM_RSDP_MAX];
	size_t rsdp_len;
	uint64_t rsdp_pa;

	bool has_bootdesc;
	uint64_t bootdesc_pa;
	uint64_t bootdesc_size;

	bool has_program; /* a bare-run bundle module (uapi/lwk/bare.h) */
	uint64_t program_pa;
	uint64_t program_size;
	struct {
		const char *strings;
		uint64_t argv_len, envp_len;
		uint64_t image_pa, image_size;
		uint64_t interp_pa, interp_size; /* 0: none */
		uint64_t mem;
		uint32_t cpus;
	} program;

	bool has_channel; /* lwk.channel=BASE,SIZE on the command line */
	struct bd_range channel;

	/* lwk,wallclock-offset-ns, if the RTC could be read; else why not */
	bool has_wallclock;
	uint64_t wallclock_offset_ns;
	char wallclock_why[120];

	uint32_t cpus[LWK_BD_MAX_CPUS]; /* [0] = the boot core */
	unsigned int n_cpus;

	/* What is written out, computed from the above by shim_finish(). */
	struct bd_range memory[LWK_BD_MAX_RANGES];
	unsigned int n_memory;
	uint64_t trampoline;
};

/* boot/shim.c */
struct shim_state *shim_state_init(const struct shim_env *env, const char *who, char *err,
				   size_t errlen);
int shim_error(struct shim_state *st, int errno_neg, const char *fmt, ...) __printf(3, 4);
int shim_ram_add(struct shim_state *st, uint64_t base, uint64_t size);
void shim_ram_remove(struct shim_state *st, uint64_t base, uint64_t size);
int shim_reserve(struct shim_state *st, uint64_t base, uint64_t end);
/* Look at a module: a bare-run bundle is remembered for /program. */
int shim_module_check_program(struct shim_state *st, uint64_t pa, uint64_t size);
int shim_read_str(struct shim_state *st, uint64_t pa, char *buf, size_t size);
/* Is [base, end) inside one usable RAM range; does it touch a reserved one? */
bool shim_ram_covers(const struct shim_state *st, uint64_t base, uint64_t end);
bool shim_reserved_overlaps(const struct shim_state *st, uint64_t base, uint64_t end);
int shim_finish(struct shim_state *st, void *fdt, size_t fdt_size);

/* boot/pc/shim_pc.c: the cores (boot core first), from lwk.cpus or the
 * MADT; and the AP trampoline's page, in free RAM below 640 KiB. */
void shim_cpu_add(struct shim_state *st, uint32_t apic_id);
int shim_collect_cpus(struct shim_state *st);
int shim_pick_trampoline(struct shim_state *st);

/* boot/pc/shim_acpi.c: append the enabled cores of the MADT, if there is one. */
int shim_acpi_add_cpus(struct shim_state *st);

/* boot/pc/shim_rtc.c: the CMOS clock's registers as read, and the time they say. */
struct shim_rtc_regs {
	uint8_t sec, min, hour, mday, mon, year, century, status_b;
};

struct shim_rtc_time {
	uint32_t year, mon, mday, hour, min, sec; /* mon 1-12, mday 1-31 */
};

/* Decode per status register B (BCD or binary, 12 or 24 hours); -EINVAL
 * with the reason in @why for anything that is not a date from 1970 on. */
int shim_rtc_decode(const struct shim_rtc_regs *r, struct shim_rtc_time *tm, char *why,
		    size_t whylen);
/* Seconds since 1970-01-01 00:00:00 UTC; -1 before 1970. */
int64_t shim_rtc_to_unix(const struct shim_rtc_time *tm);
/* CLOCK_MONOTONIC at TSC @cycles, computed as the kernel does. */
uint64_t shim_tsc_to_ns(uint64_t cycles, uint64_t hz);
/* Read the RTC and set has_wallclock and wallclock_offset_ns; or return a
 * negative errno with the reason in wallclock_why. */
int shim_read_wallclock(struct shim_state *st);
/* The same, telling env->warn when the clock could not be read. */
void shim_collect_wallclock(struct shim_state *st);

/* Little-endian loads from untrusted, possibly unaligned bytes. */
static inline uint16_t shim_rd16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t shim_rd32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t shim_rd64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel's reader of the boot description (uapi/lwk/bootdesc.h). */
#pragma once

#include <lwk/types.h>
#include <uapi/lwk/bootdesc.h>

struct bd_range {
	uint64_t base;
	uint64_t size;
};

struct bootdesc {
	uint64_t tsc_hz;
	uint64_t wallclock_offset_ns;
	struct bd_range memory[LWK_BD_MAX_RANGES];
	unsigned int n_memory;
	struct bd_range reserved[LWK_BD_MAX_RANGES];
	unsigned int n_reserved;
	struct bd_range trampoline;
	struct bd_range log;	 /* size 0: none */
	struct bd_range channel; /* size 0: none; also listed in reserved[] */
	bool has_notify_ipi;
	uint32_t notify_vector;
	uint32_t notify_apic_id;
	struct bd_range kernel; /* size 0: absent, the image is at its link address */
	bool has_uart_port;	/* a console */
	uint32_t uart_port;
	bool has_exit_port; /* QEMU's exit device */
	uint32_t exit_port;
	char bootargs[LWK_BD_MAX_BOOTARGS];
	uint32_t cpu_apic_id[LWK_BD_MAX_CPUS]; /* index = logical CPU */
	unsigned int n_cpus;
	/* A bare run's program (/program), if any. The strings point into the
	 * FDT, which the kernel keeps. */
	struct {
		bool present;
		struct bd_range image;
		struct bd_range interp;	 /* size 0: none */
		const char *argv, *envp; /* NUL-separated lists */
		uint32_t argv_len, envp_len;
		uint64_t mem;
		uint32_t cpus;
	} program;
};

/*
 * Validate and decode the FDT at @fdt, which must fit in @max_size bytes.
 * Returns 0, or a negative errno with a one-line reason in @err (e.g.
 * "boot description: /cpus/cpu@2 has no 'reg'").
 */
int bootdesc_parse(const void *fdt, size_t max_size, struct bootdesc *bd, char *err, size_t errlen);

/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * Bare runs (lwkctl bare): one boot module carries the program and its
 * arguments, so that QEMU's -kernel/-initrd (one module) can start it. The
 * boot shim finds the module by its magic and describes it in the boot
 * description's /program node; the kernel runs it with no proxy attached.
 *
 *   struct lwk_bare_bundle | strings (argv[0..argc), envp[0..envc), each
 *   NUL-terminated) | padding | ELF image at image_offset | padding |
 *   the image's interpreter (PT_INTERP) at interp_offset, if it has one
 */
#pragma once

#include <stdint.h>
#include <uapi/lwk/abi.h>

#define LWK_BARE_MAGIC 0x424b574cu /* "LWKB" */

struct lwk_bare_bundle {
	uint32_t magic;
	uint32_t abi_version;
	uint64_t total_size;
	uint64_t strings_offset;
	uint64_t strings_size;
	uint64_t image_offset; /* 4 KiB aligned */
	uint64_t image_size;
	uint32_t argc;
	uint32_t envc;
	uint64_t mem_bytes; /* memory for the process; 0: the kernel's default */
	uint32_t cpus;	    /* cores for the process; 0: all */
	uint32_t pad;
	uint64_t interp_offset; /* 4 KiB aligned; with interp_size 0: none */
	uint64_t interp_size;
};

LWK_STATIC_ASSERT(sizeof(struct lwk_bare_bundle) == 88);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_bare_bundle, interp_offset) == 72);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_bare_bundle, image_offset) == 32);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_bare_bundle, mem_bytes) == 56);

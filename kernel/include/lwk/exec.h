/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

#include <lwk/proc.h>

struct exec_request {
	const void *image; /* the ELF file, in kernel-readable memory */
	uint64_t image_size;
	const void *interp; /* its PT_INTERP file, if it has one */
	uint64_t interp_size;
	const char *const *argv; /* NULL-terminated */
	const char *const *envp;
	uint64_t mem; /* bytes for the process */
	/* Leave the arena as the allocator had it: the caller clears it
	 * (uvm_arena_init) before the process runs or Linux sees it. */
	bool arena_uncleared;
};

/* Create a process running the ELF program of @req: map its image (and
 * its interpreter's), stack and arena, and prepare its first thread. On failure returns
 * a negative errno and a one-line reason in @err. */
int exec_create(const struct exec_request *req, struct proc **proc, struct thread **thread,
		uint64_t *entry, uint64_t *sp, char *err, size_t errlen);

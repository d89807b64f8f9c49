// SPDX-License-Identifier: GPL-2.0-only
/* Turning an ELF file into a running process: the static half of exec. */
#include <stdio.h>
#include <string.h>
#include <lwk/arch.h>
#include <elf_loader.h>
#include <lwk/errno.h>
#include <lwk/exec.h>
#include <uapi/lwk/layout.h>

#define PAGE 4096ull
#define STACK_SIZE MiB(8)
#define STACK_ARGS_MAX MiB(2) /* the stack's top chunk holds argv/envp/auxv */

static void *load_map(void *ctx, uint64_t va, uint64_t len)
{
	return uvm_kaddr(ctx, va, len, 0);
}

/* The protection of the page at @page: the union of every segment that
 * touches it (two segments may share a page at their boundary). */
static unsigned int page_prot(const struct elf_image *img, uint64_t bias, uint64_t page)
{
	unsigned int prot = 0;

	for (unsigned int i = 0; i < img->nloads; i++) {
		uint64_t s = ALIGN_DOWN(img->loads[i].vaddr + bias, PAGE);
		uint64_t e = ALIGN_UP(img->loads[i].vaddr + img->loads[i].memsz + bias, PAGE);

		if (page >= s && page < e)
			prot |= img->loads[i].prot;
	}
	return prot;
}

static int protect_image(struct uvm *u, const struct elf_image *img, uint64_t bias)
{
	for (unsigned int i = 0; i < img->nloads; i++) {
		uint64_t s = ALIGN_DOWN(img->loads[i].vaddr + bias, PAGE);
		uint64_t e = ALIGN_UP(img->loads[i].vaddr + img->loads[i].memsz + bias, PAGE);

		for (uint64_t p = s; p < e; p += PAGE) {
			int err = uvm_protect(u, p, PAGE, page_prot(img, bias, p));

			if (err)
				return err;
		}
	}
	return 0;
}

/* Map an image at @bias; it must end below @limit (where the next
 * region of the layout starts). */
static int map_image(struct uvm *u, const struct elf_image *img, const void *file, uint64_t bias,
		     uint64_t limit, char *err, size_t errlen)
{
	uint64_t lo = ALIGN_DOWN(img->lo + bias, MiB(2)), hi = ALIGN_UP(img->hi + bias, MiB(2));
	int ret;

	if (img->lo + bias < LWK_USER_START || img->hi + bias > limit) {
		snprintf(err, errlen, "its segments [0x%llx, 0x%llx) lie outside [0x%llx, 0x%llx)",
			 (unsigned long long)(img->lo + bias), (unsigned long long)(img->hi + bias),
			 LWK_USER_START, (unsigned long long)limit);
		return -ENOEXEC;
	}
	ret = uvm_map_region(u, lo, hi - lo, ARCH_PROT_READ | ARCH_PROT_WRITE, UVM_CONTIG);
	if (ret) {
		snprintf(err, errlen,
			 "no memory for its %llu MiB image (error %d); give it more with --mem",
			 (unsigned long long)((hi - lo) >> 20), ret);
		return ret;
	}
	ret = elf_load(img, file, bias, load_map, u, err, errlen);
	return ret ? ret : protect_image(u, img, bias);
}

/* A dynamic program's interpreter (ld.so): a position-independent,
 * static ELF of its own, loaded at LWK_INTERP_BASE; the process starts at
 * its entry point. */
static int load_interp(struct uvm *u, const struct exec_request *req, const struct elf_image *prog,
		       uint64_t *entry, char *err, size_t errlen)
{
	static struct elf_image ii; /* large; exec runs on one core at a time */
	int name_len = (int)MIN(prog->interp_len, 64);
	char why[160];
	int ret;

	if (!req->interp_size) {
		snprintf(err, errlen,
			 "it is dynamically linked and its interpreter %.*s is missing", name_len,
			 prog->interp);
		return -ENOEXEC;
	}
	ret = elf_parse(req->interp, req->interp_size, &ii, why, sizeof(why));
	if (!ret && ii.interp)
		snprintf(why, sizeof(why), "it is itself dynamically linked (interpreter %.*s)",
			 (int)MIN(ii.interp_len, 64), ii.interp);
	else if (!ret && !ii.pie)
		snprintf(why, sizeof(why), "it is not position-independent (ET_DYN)");
	else if (!ret)
		ret = map_image(u, &ii, req->interp, LWK_INTERP_BASE, LWK_ARENA_BASE, why,
				sizeof(why));
	if (ret || ii.interp || !ii.pie) {
		snprintf(err, errlen, "its interpreter %.*s: %s", name_len, prog->interp, why);
		return ret ? ret : -ENOEXEC;
	}
	*entry = ii.entry + LWK_INTERP_BASE;
	return 0;
}

static int build_stack(struct uvm *u, const struct exec_request *req, const struct elf_image *img,
		       uint64_t bias, uint64_t interp_base, uint64_t *sp, char *err, size_t errlen)
{
	uint64_t seed;
	struct elf_stack_args args = {
		.img = img,
		.bias = bias,
		.interp_base = interp_base,
		.argv = req->argv,
		.envp = req->envp,
		.execfn = req->argv[0],
		.hwcap = arch_hwcap(),
		.hwcap2 = arch_hwcap2(),
		.minsigstksz = arch_min_signal_stack(),
	};
	void *top;
	int ret = uvm_map_region(u, LWK_STACK_TOP - STACK_SIZE, STACK_SIZE,
				 ARCH_PROT_READ | ARCH_PROT_WRITE, UVM_LARGE);

	if (ret) {
		snprintf(err, errlen, "no memory for its stack (error %d); give it more with --mem",
			 ret);
		return ret;
	}
	if (!arch_random(&seed))
		seed = arch_cycles();
	args.random_seed = seed;
	top = uvm_kaddr(u, LWK_STACK_TOP - STACK_ARGS_MAX, STACK_ARGS_MAX, 0);
	if (!top) {
		snprintf(err, errlen, "its stack top is not contiguous");
		return -EFAULT;
	}
	return elf_stack_build(&args, top, STACK_ARGS_MAX, LWK_STACK_TOP, sp, err, errlen);
}

int exec_create(const struct exec_request *req, struct proc **proc, struct thread **thread,
		uint64_t *entry, uint64_t *sp, char *err, size_t errlen)
{
	static struct elf_image img; /* large; exec runs on one core at a time */
	struct proc *p;
	uint64_t bias;
	int ret = elf_parse(req->image, req->image_size, &img, err, errlen);

	if (ret)
		return ret;
	/* Named as Linux names a process: the last part of its path. */
	const char *slash = strrchr(req->argv[0], '/');

	ret = proc_create(req->mem, slash ? slash + 1 : req->argv[0], &p);
	if (ret) {
		snprintf(err, errlen,
			 "cannot reserve %llu MiB for it (error %d); ask for less with --mem",
			 (unsigned long long)(req->mem >> 20), ret);
		return ret;
	}
	bias = img.pie ? LWK_PIE_BASE : 0;
	*entry = img.entry + bias;
	ret = map_image(&p->uvm, &img, req->image, bias,
			img.pie ? LWK_INTERP_BASE : LWK_EXEC_MAX_END, err, errlen);
	if (!ret && img.interp)
		ret = load_interp(&p->uvm, req, &img, entry, err, errlen);
	if (!ret)
		ret = build_stack(&p->uvm, req, &img, bias, img.interp ? LWK_INTERP_BASE : 0, sp,
				  err, errlen);
	if (!ret && (ret = uvm_arena_init(&p->uvm, !req->arena_uncleared)))
		snprintf(err, errlen,
			 "no memory left for its heap (error %d); give it more with --mem", ret);
	if (!ret && (ret = thread_create(p, thread)))
		snprintf(err, errlen,
			 "cannot create its first thread (error %d): the kernel's thread table or "
			 "memory is full",
			 ret);
	if (ret) {
		proc_destroy(p);
		return ret;
	}
	*proc = p;
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/* Memory system calls, all served from memory mapped at process creation. */
#include <lwk/errno.h>
#include <uapi/lwk/layout.h>
#include <lwk/log.h>
#include <lwk/proc.h>
#include <lwk/syscall.h>

#define PROT_MASK 7u
#define PROT_READ 1u
#define PROT_WRITE 2u
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_FIXED_NOREPLACE 0x100000
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_DONTNEED_LOCKED 24
/* Linux's advice values that change nothing in memory that is mapped and
 * resident for good: NORMAL..WILLNEED, DONTFORK..DODUMP, WIPEONFORK..
 * POPULATE_WRITE, COLLAPSE; and FREE, which lets the kernel keep the
 * contents. Any other value is refused, as Linux refuses it. */
#define MADV_HARMLESS \
	(0xfull | (0xffull << 10) | (0x3full << 18) | (1ull << 25) | (1ull << MADV_FREE))
#define PAGE 4096ull
#define F_GETFL 3
#define MAX_RW_COUNT 0x7ffff000ull /* Linux's cap on one read */

static struct uvm *cur_uvm(void)
{
	return &thread_current()->proc->uvm;
}

int64_t sys_brk(const struct syscall_args *sa)
{
	return uvm_brk(cur_uvm(), sa->a[0]);
}

/* Give the fresh mapping [va, va + len) its protection (it is read-write
 * now, as the whole arena is); on failure it is unmapped. */
static int64_t mmap_protect(uint64_t va, uint64_t len, uint64_t prot, uint64_t flags)
{
	int err;

	if (prot == (PROT_READ | PROT_WRITE))
		return va;
	err = uvm_protect(cur_uvm(), va, ALIGN_UP(len, PAGE), prot);
	if (err) {
		uvm_munmap(cur_uvm(), va, len);
		return err;
	}
	/* MAP_FIXED over live memory with fewer rights: other cores may
	 * still cache the old ones. */
	if (flags & MAP_FIXED)
		proc_tlb_shootdown(thread_current()->proc);
	return va;
}

/* What mmap says when pread could not read the file: pipes, sockets and
 * directories cannot be mapped (ENODEV), and an fd open for writing only
 * is EACCES where pread says EBADF (F_GETFL tells it from a closed fd). */
static int mmap_read_error(int fd, int64_t err)
{
	uint64_t getfl[6] = { (uint64_t)fd, F_GETFL };

	if (err == -ESPIPE || err == -EISDIR || err == -EINVAL)
		return -ENODEV;
	if (err == -EBADF && forward_call(NR_fcntl, getfl) >= 0)
		return -EACCES;
	return (int)err;
}

/* Fill [va, va + len) from the file at @off by forwarded preads, which the
 * proxy carries out straight into the mirrored memory. What lies past the
 * end of the file stays zero: the arena hands out zeroed memory only. */
static int mmap_fill(int fd, uint64_t va, uint64_t len, uint64_t off)
{
	uint64_t done = 0;

	while (done < len) {
		uint64_t args[6] = { (uint64_t)fd, va + done, MIN(len - done, MAX_RW_COUNT),
				     off + done };
		int64_t n = forward_call(NR_pread64, args);

		if (n < 0)
			return mmap_read_error(fd, n);
		if (n == 0 || (uint64_t)n > args[2])
			break; /* the end of the file (or a proxy that overstates) */
		done += n;
	}
	return 0;
}

/*
 * A file mapping is a private copy made at mmap time: arena memory filled
 * by pread. ld.so maps a library with one PROT_READ mapping of the whole
 * file, then MAP_FIXED mappings of each segment over it, and mprotect: each
 * is a fresh copy with its own protection (uvm_protect splits the arena's
 * large pages where protections differ). A read-only MAP_SHARED mapping is
 * served the same way; writes to a shared mapping could never reach the
 * file, so a writable one is refused with ENODEV.
 */
static int64_t mmap_file(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, int fd,
			 uint64_t off)
{
	static bool told_bare, told_shared;
	uint64_t va = 0;
	int err;

	if (fd < 0)
		return -EBADF;
	if (!thread_current()->proc->chan) {
		if (!told_bare)
			log_info("mmap of a file needs the proxy, and none is attached: -ENODEV");
		told_bare = true;
		return -ENODEV;
	}
	if ((flags & MAP_SHARED) && (prot & PROT_WRITE)) {
		if (!told_shared)
			log_info("pid %d: writable MAP_SHARED mapping of a file (fd %d): the LWK "
				 "keeps private copies only: -ENODEV",
				 thread_current()->proc->pid, fd);
		told_shared = true;
		return -ENODEV;
	}
	if (len && off + ALIGN_UP(len, PAGE) < off)
		return -EOVERFLOW;
	err = uvm_mmap(cur_uvm(), addr, len, flags & MAP_FIXED, flags & MAP_FIXED_NOREPLACE, &va);
	if (!err)
		err = mmap_fill(fd, va, len, off);
	if (err) {
		if (va)
			uvm_munmap(cur_uvm(), va, len);
		return err;
	}
	return mmap_protect(va, len, prot, flags);
}

int64_t sys_mmap(const struct syscall_args *sa)
{
	uint64_t addr = sa->a[0], len = sa->a[1], prot = sa->a[2], flags = sa->a[3], off = sa->a[5];
	uint64_t va = 0;
	int err;

	if (!(flags & (MAP_SHARED | MAP_PRIVATE)) || !IS_ALIGNED(off, PAGE) || (prot & ~PROT_MASK))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return mmap_file(addr, len, prot, flags, (int)sa->a[4], off);
	err = uvm_mmap(cur_uvm(), addr, len, flags & MAP_FIXED, flags & MAP_FIXED_NOREPLACE, &va);
	return err ? err : mmap_protect(va, len, prot, flags);
}

int64_t sys_munmap(const struct syscall_args *sa)
{
	return uvm_munmap(cur_uvm(), sa->a[0], sa->a[1]);
}

/*
 * Protections are exact to the page. Where they differ inside a large
 * page, that page is split into smaller ones (as Linux splits a huge
 * page): glibc's thread-stack guard pages cost one 2 MiB page its size.
 */
int64_t sys_mprotect(const struct syscall_args *sa)
{
	struct uvm *u = cur_uvm();
	uint64_t va = sa->a[0], len = ALIGN_UP(sa->a[1], PAGE);
	int err;

	if (!IS_ALIGNED(va, PAGE) || (sa->a[2] & ~PROT_MASK) || va + len < va)
		return -EINVAL;
	if (!len)
		return 0;
	err = uvm_protect(u, va, len, sa->a[2] & PROT_MASK);
	if (!err)
		proc_tlb_shootdown(thread_current()->proc);
	return err;
}

int64_t sys_madvise(const struct syscall_args *sa)
{
	struct uvm *u = cur_uvm();
	uint64_t va = sa->a[0], len = ALIGN_UP(sa->a[1], PAGE);

	uint64_t advice = sa->a[2];

	if (!IS_ALIGNED(va, PAGE) || va + len < va)
		return -EINVAL;
	if (advice != MADV_DONTNEED && advice != MADV_DONTNEED_LOCKED)
		return advice < 64 && (MADV_HARMLESS & (1ull << advice)) ? 0 : -EINVAL;
	/* DONTNEED: the next read of anonymous memory sees zeros. The image is
	 * a private file mapping, which Linux would re-read from the file:
	 * its contents stay as they are. */
	if (va < u->arena_base || va + len > u->arena_end)
		return 0;
	return uvm_zero(u, va, len) ? -ENOMEM : 0;
}

/* Copy a user range to another through a bounce buffer. */
static int copy_user(struct uvm *u, uint64_t dst, uint64_t src, uint64_t len)
{
	uint8_t buf[512];

	for (uint64_t off = 0; off < len; off += sizeof(buf)) {
		uint64_t n = MIN(sizeof(buf), len - off);

		if (uvm_copy_in(u, buf, src + off, n) || uvm_copy_out(u, dst + off, buf, n))
			return -EFAULT;
	}
	return 0;
}

/* MREMAP_FIXED: the mapping moves to @to (which it replaces), whatever its
 * size; it needs MREMAP_MAYMOVE and must not overlap where it was. */
static int64_t mremap_fixed(struct uvm *u, uint64_t old, uint64_t old_len, uint64_t new_len,
			    uint64_t flags, uint64_t to)
{
	uint64_t va;
	int err;

	if (!(flags & MREMAP_MAYMOVE) || !IS_ALIGNED(to, PAGE) || to + new_len < to ||
	    (to < old + old_len && old < to + new_len))
		return -EINVAL;
	err = uvm_mmap(u, to, new_len, true, false, &va);
	if (!err && va != to)
		err = -ENOMEM;
	if (!err)
		err = copy_user(u, to, old, MIN(old_len, new_len));
	if (err)
		return err;
	uvm_munmap(u, old, old_len);
	return to;
}

int64_t sys_mremap(const struct syscall_args *sa)
{
	struct uvm *u = cur_uvm();
	uint64_t old = sa->a[0], old_len = ALIGN_UP(sa->a[1], PAGE);
	uint64_t new_len = ALIGN_UP(sa->a[2], PAGE), flags = sa->a[3], va;
	int err;

	/* old_len 0 duplicates a shared mapping; the arena is private. */
	if (!IS_ALIGNED(old, PAGE) || !new_len || !old_len ||
	    (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)))
		return -EINVAL;
	if (old < u->arena_base || old + old_len > u->arena_end || old + old_len < old)
		return -EFAULT;
	if (flags & MREMAP_FIXED)
		return mremap_fixed(u, old, old_len, new_len, flags, sa->a[4]);
	if (new_len <= old_len) {
		uvm_munmap(u, old + new_len, old_len - new_len);
		return old;
	}
	if (!uvm_mmap(u, old + old_len, new_len - old_len, false, true, &va))
		return old; /* grew in place */
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	err = uvm_mmap(u, 0, new_len, false, false, &va);
	if (!err)
		err = copy_user(u, va, old, old_len);
	if (err)
		return err;
	uvm_munmap(u, old, old_len);
	return va;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The checks that stand between a forwarded call and Linux: is a pointer
 * inside the process's mirrored memory, is a request well formed. Pure
 * functions over the mirror description, so that tests/host/test_lwkexec.c runs
 * them on the host without a partition.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <uapi/lwk/channel_msg.h>
#include <uapi/lwk/layout.h>
#include "service.h"

#define PAGE_MASK 4095ull

static int map_cmp(const void *a, const void *b)
{
	const struct svc_map *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

int svc_maps_build(struct svc_maps *m, const struct lwk_chan_map *src, unsigned int n, char *err,
		   size_t errlen)
{
	m->v = calloc(n ? n : 1, sizeof(*m->v));
	m->n = 0;
	if (!m->v) {
		snprintf(err, errlen, "out of memory for %u map entries", n);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct lwk_chan_map *s = &src[i];

		if (!s->size || (s->va | s->size) & PAGE_MASK || s->va < LWK_USER_START ||
		    s->va > LWK_USER_END || s->size > LWK_USER_END - s->va) {
			snprintf(err, errlen,
				 "the LWK sent a bad memory map entry %u: va 0x%llx size 0x%llx", i,
				 (unsigned long long)s->va, (unsigned long long)s->size);
			svc_maps_free(m);
			return -EINVAL;
		}
		m->v[m->n++] = (struct svc_map){ s->va, s->va + s->size, s->prot };
	}
	qsort(m->v, m->n, sizeof(*m->v), map_cmp);
	for (unsigned int i = 1; i < m->n; i++) {
		if (m->v[i].va < m->v[i - 1].end) {
			snprintf(err, errlen, "the LWK sent overlapping memory maps at 0x%llx",
				 (unsigned long long)m->v[i].va);
			svc_maps_free(m);
			return -EINVAL;
		}
	}
	return 0;
}

void svc_maps_free(struct svc_maps *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

/* The index of the piece holding @p, or -1. */
static int maps_find(const struct svc_maps *m, uint64_t p)
{
	unsigned int lo = 0, hi = m->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (p < m->v[mid].va)
			hi = mid;
		else if (p >= m->v[mid].end)
			lo = mid + 1;
		else
			return (int)mid;
	}
	return -1;
}

static int map_allows(const struct svc_map *map, int write)
{
	return write ? (map->prot & PROT_WRITE) != 0 : (map->prot & PROT_READ) != 0;
}

int svc_range_ok(const struct svc_maps *m, uint64_t p, uint64_t len, int write)
{
	uint64_t end = p + len;
	int i;

	if (!len)
		return 1;
	if (end < p)
		return 0;
	i = maps_find(m, p);
	if (i < 0)
		return 0;
	/* A buffer may span pieces that touch (the arena comes in chunks). */
	for (;; i++) {
		if (!map_allows(&m->v[i], write))
			return 0;
		if (end <= m->v[i].end)
			return 1;
		if ((unsigned int)i + 1 >= m->n || m->v[i + 1].va != m->v[i].end)
			return 0;
	}
}

int64_t svc_str_check(const struct svc_maps *m, uint64_t p, size_t max)
{
	size_t seen = 0;
	int i = maps_find(m, p);

	if (i < 0)
		return -EFAULT;
	for (;; i++) {
		const struct svc_map *map = &m->v[i];
		uint64_t from = p + seen;
		size_t avail = map->end - from, look = avail < max - seen ? avail : max - seen;
		const char *nul;

		if (!map_allows(map, 0))
			return -EFAULT;
		nul = memchr((const void *)(uintptr_t)from, '\0', look);
		if (nul)
			return (int64_t)(seen + (size_t)(nul - (const char *)(uintptr_t)from));
		seen += look;
		if (seen >= max)
			return -ENAMETOOLONG;
		if ((unsigned int)i + 1 >= m->n || m->v[i + 1].va != map->end)
			return -EFAULT;
	}
}

int svc_iov_copy(const struct svc_maps *m, uint64_t p, uint64_t cnt, int write, struct iovec *out)
{
	if (cnt > IOV_MAX)
		return -EINVAL;
	if (!svc_range_ok(m, p, cnt * sizeof(*out), 0))
		return -EFAULT;
	/* Check the copy, not the original: the program may change it. */
	memcpy(out, (const void *)(uintptr_t)p, cnt * sizeof(*out));
	for (uint64_t i = 0; i < cnt; i++) {
		if ((ssize_t)out[i].iov_len < 0)
			return -EINVAL;
		if (!svc_range_ok(m, (uintptr_t)out[i].iov_base, out[i].iov_len, write))
			return -EFAULT;
	}
	return 0;
}

enum svc_bad svc_req_check(const struct lwk_chan_req *r, uint32_t pid)
{
	switch (lwk_msg_check(&r->hdr, LWK_MSG_SYSCALL, sizeof(*r))) {
	case LWK_MSG_ERR_MAGIC:
		return SVC_BAD_MAGIC;
	case LWK_MSG_ERR_ABI:
		return SVC_BAD_ABI;
	case LWK_MSG_ERR_TYPE:
		return SVC_BAD_TYPE;
	case LWK_MSG_ERR_SIZE:
		return SVC_BAD_SIZE;
	}
	return r->pid == pid ? SVC_OK : SVC_BAD_PID;
}

const char *svc_bad_name(enum svc_bad why)
{
	static const char *const names[SVC_BAD_KINDS] = {
		[SVC_OK] = "none",
		[SVC_BAD_MAGIC] = "a bad magic number",
		[SVC_BAD_ABI] = "another ABI version",
		[SVC_BAD_TYPE] = "a message type other than SYSCALL",
		[SVC_BAD_SIZE] = "a wrong message size",
		[SVC_BAD_PID] = "another process's ID",
	};

	return (unsigned int)why < SVC_BAD_KINDS ? names[why] : "?";
}

int svc_fd_reserved(const struct svc *s, int64_t fd)
{
	for (unsigned int i = 0; i < s->nreserved; i++)
		if (s->reserved_fds[i] == fd)
			return 1;
	return 0;
}

int svc_control_check(const struct svc *s, const void *control, size_t len)
{
	const char *p = control;

	/* Linux walks the headers the same way (__scm_send, CMSG_OK): each
	 * must hold its own header and fit in what is left; a tail shorter
	 * than a header is ignored. glibc's CMSG_NXTHDR trusts cmsg_len. */
	while (len >= sizeof(struct cmsghdr)) {
		struct cmsghdr h;
		size_t step;

		memcpy(&h, p, sizeof(h));
		if (h.cmsg_len < CMSG_LEN(0) || h.cmsg_len > len)
			return -EINVAL;
		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
			size_t n = (h.cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < n; i++) {
				int fd;

				memcpy(&fd, p + CMSG_LEN(0) + i * sizeof(int), sizeof(fd));
				if (svc_fd_reserved(s, fd))
					return -EBADF;
			}
		}
		step = CMSG_ALIGN(h.cmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

static uint64_t page_up(uint64_t n)
{
	return (n + PAGE_MASK) & ~PAGE_MASK;
}

void svc_staging_layout(struct svc_staging *st, uint64_t image, uint64_t interp, uint64_t argv,
			uint64_t envp)
{
	st->image_off = 0;
	st->interp_off = page_up(image);
	st->argv_off = st->interp_off + page_up(interp);
	st->envp_off = st->argv_off + page_up(argv);
	st->maps_off = st->envp_off + page_up(envp);
	st->size = st->maps_off + page_up(SVC_MAX_MAPS * sizeof(struct lwk_chan_map));
}

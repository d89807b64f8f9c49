// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the handlers (sys_*.c) share: checking a call's arguments against
 * the mirror and lwkexec's own descriptors, copying string and path
 * arguments, and Linux's return convention. A library: it calls only the
 * pure checks (service_check.c) and the identity rewrites
 * (service_identity.c), never the dispatcher that runs the handlers.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <uapi/lwk/channel_msg.h>
#include <uapi/lwk/lwkdev.h>
#include "partition.h"
#include "service.h"

int64_t svc_sys_result(long r)
{
	return r == -1 ? -(int64_t)errno : r;
}

int64_t svc_pipe_signal(struct svc_call *c, int64_t ret)
{
	if (ret == -EPIPE && !__atomic_load_n(&c->svc->ended, __ATOMIC_ACQUIRE)) {
		lwk_chan_signals_post(c->svc->entry, 1ull << (SIGPIPE - 1));
		transport_ring(&c->svc->part->tr, LWK_RING_SERVICE);
	}
	return ret;
}

int svc_fd_check(struct svc_call *c, int i)
{
	return svc_fd_reserved(c->svc, (int)c->a[i]) ? -EBADF : 0;
}

int svc_buf_check(struct svc_call *c, int i, uint64_t len, int write)
{
	return svc_range_ok(&c->svc->maps, c->a[i], len, write) ? 0 : -EFAULT;
}

const char *svc_str_arg(struct svc_call *c, int i, char *buf, size_t len, int64_t *err)
{
	int64_t n = svc_str_check(&c->svc->maps, c->a[i], len);

	if (n < 0) {
		*err = n;
		return NULL;
	}
	/* Work on a copy: the program could move the NUL under our feet. */
	memcpy(buf, (const char *)(uintptr_t)c->a[i], (size_t)n);
	buf[n] = '\0';
	return buf;
}

const char *svc_path_arg(struct svc_call *c, int i, char *buf, size_t len, int64_t *err)
{
	char raw[PATH_MAX];
	const char *path = svc_str_arg(c, i, raw, sizeof(raw), err);

	if (!path)
		return NULL;
	path = ident_path(c->svc, raw, buf, len);
	if (path == raw)
		memcpy(buf, raw, strlen(raw) + 1);
	return buf;
}

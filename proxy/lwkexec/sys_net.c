// SPDX-License-Identifier: GPL-2.0-only
/*
 * Forwarded socket calls. Addresses and options are plain buffers whose
 * length travels with them; a msghdr holds pointers, so sendmsg/recvmsg
 * run on a checked copy of it, its iovec array and (for sendmsg) its
 * control data, which may carry descriptors: lwkexec's own may not leave.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "service.h"

#define CONTROL_MAX 65536 /* above Linux's optmem_max default */

int64_t sys_socket(struct svc_call *c)
{
	return SVC_SYS(SYS_socket, c->a[0], c->a[1], c->a[2]);
}

int64_t sys_socketpair(struct svc_call *c)
{
	SVC_TRY(svc_buf_check(c, 3, 2 * sizeof(int), 1));
	return SVC_SYS(SYS_socketpair, c->a[0], c->a[1], c->a[2], c->a[3]);
}

/* (fd, addr, addrlen) with the address read by Linux. */
static int64_t addr_in_call(struct svc_call *c, long nr)
{
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 1, (uint32_t)c->a[2], 0));
	return SVC_SYS(nr, c->a[0], c->a[1], c->a[2]);
}

int64_t sys_connect(struct svc_call *c)
{
	return addr_in_call(c, SYS_connect);
}

int64_t sys_bind(struct svc_call *c)
{
	return addr_in_call(c, SYS_bind);
}

/* An address Linux writes: @addr (may be NULL) and the length at argument
 * @lenp (in: room; out: the address's size). The length is read once into
 * a local, which Linux gets, and written back after the call: the program
 * cannot grow it between the check and Linux's use. */
struct addr_out {
	socklen_t len;
	socklen_t *lenp; /* for Linux: &len, or NULL */
};

static int64_t addr_out_take(struct svc_call *c, int addr, int lenp, int need_len,
			     struct addr_out *o)
{
	o->lenp = NULL;
	if (!c->a[addr] && !need_len)
		return 0;
	SVC_TRY(svc_buf_check(c, lenp, sizeof(socklen_t), 1));
	o->len = *(volatile socklen_t *)SVC_PTR(c, lenp);
	o->lenp = &o->len;
	if ((int)o->len < 0)
		return -EINVAL; /* as Linux answers a negative length */
	return svc_buf_check(c, addr, o->len, 1);
}

/* After the call: the length Linux gave, back to the program. */
static int64_t addr_out_give(struct svc_call *c, int lenp, const struct addr_out *o, int64_t r)
{
	if (r >= 0 && o->lenp)
		*(volatile socklen_t *)SVC_PTR(c, lenp) = o->len;
	return r;
}

static int64_t accept_call(struct svc_call *c, uint64_t flags)
{
	struct addr_out o;

	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(addr_out_take(c, 1, 2, 0, &o));
	return addr_out_give(c, 2, &o, SVC_SYS(SYS_accept4, c->a[0], c->a[1], o.lenp, flags));
}

int64_t sys_accept(struct svc_call *c)
{
	return accept_call(c, 0);
}

int64_t sys_accept4(struct svc_call *c)
{
	return accept_call(c, c->a[3]);
}

static int64_t sockname_call(struct svc_call *c, long nr)
{
	struct addr_out o;

	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(addr_out_take(c, 1, 2, 1, &o));
	return addr_out_give(c, 2, &o, SVC_SYS(nr, c->a[0], c->a[1], o.lenp));
}

int64_t sys_getsockname(struct svc_call *c)
{
	return sockname_call(c, SYS_getsockname);
}

int64_t sys_getpeername(struct svc_call *c)
{
	return sockname_call(c, SYS_getpeername);
}

int64_t sys_listen(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	return SVC_SYS(SYS_listen, c->a[0], c->a[1]);
}

int64_t sys_shutdown(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	return SVC_SYS(SYS_shutdown, c->a[0], c->a[1]);
}

/* sendto(fd, buf, len, flags, addr, addrlen) */
int64_t sys_sendto(struct svc_call *c)
{
	int64_t r;

	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 1, c->a[2], 0));
	SVC_TRY(svc_buf_check(c, 4, c->a[4] ? (uint32_t)c->a[5] : 0, 0));
	r = SVC_SYS(SYS_sendto, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5]);
	return (c->a[3] & MSG_NOSIGNAL) ? r : svc_pipe_signal(c, r);
}

/* recvfrom(fd, buf, len, flags, addr, addrlen) */
int64_t sys_recvfrom(struct svc_call *c)
{
	struct addr_out o;

	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 1, c->a[2], 1));
	SVC_TRY(addr_out_take(c, 4, 5, 0, &o));
	return addr_out_give(
	    c, 5, &o, SVC_SYS(SYS_recvfrom, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], o.lenp));
}

int64_t sys_setsockopt(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 3, (uint32_t)c->a[4], 0));
	return SVC_SYS(SYS_setsockopt, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4]);
}

int64_t sys_getsockopt(struct svc_call *c)
{
	struct addr_out o; /* the option and its length, as for an address */

	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(addr_out_take(c, 3, 4, 1, &o));
	return addr_out_give(c, 4, &o,
			     SVC_SYS(SYS_getsockopt, c->a[0], c->a[1], c->a[2], c->a[3], o.lenp));
}

/* A msghdr taken apart: the copy Linux gets and the pieces it points to. */
struct msg_copy {
	struct msghdr m;
	struct iovec iov[IOV_MAX];
	char control[CONTROL_MAX];
};

static int64_t msg_take(struct svc_call *c, uint64_t p, int receive, struct msg_copy *mc)
{
	const struct svc_maps *maps = &c->svc->maps;
	struct msghdr *m = &mc->m;

	if (!svc_range_ok(maps, p, sizeof(*m), receive))
		return -EFAULT;
	memcpy(m, (const void *)(uintptr_t)p, sizeof(*m));
	if (m->msg_name && !svc_range_ok(maps, (uintptr_t)m->msg_name, m->msg_namelen, receive))
		return -EFAULT;
	SVC_TRY(svc_iov_copy(maps, (uintptr_t)m->msg_iov, m->msg_iovlen, receive, mc->iov));
	m->msg_iov = mc->iov;
	if (!m->msg_control || !m->msg_controllen)
		return 0;
	if (!svc_range_ok(maps, (uintptr_t)m->msg_control, m->msg_controllen, receive))
		return -EFAULT;
	if (receive)
		return 0; /* Linux writes it; nothing in it to check */
	if (m->msg_controllen > CONTROL_MAX)
		return -ENOBUFS;
	memcpy(mc->control, m->msg_control, m->msg_controllen);
	m->msg_control = mc->control;
	return svc_control_check(c->svc, mc->control, m->msg_controllen);
}

int64_t sys_sendmsg(struct svc_call *c)
{
	struct msg_copy *mc = malloc(sizeof(*mc));
	int64_t r;

	if (!mc)
		return -ENOMEM;
	r = svc_fd_check(c, 0);
	if (!r)
		r = msg_take(c, c->a[1], 0, mc);
	if (!r) {
		r = SVC_SYS(SYS_sendmsg, c->a[0], &mc->m, c->a[2]);
		if (!(c->a[2] & MSG_NOSIGNAL))
			svc_pipe_signal(c, r);
	}
	free(mc);
	return r;
}

int64_t sys_recvmsg(struct svc_call *c)
{
	struct msg_copy *mc = malloc(sizeof(*mc));
	struct msghdr *user = SVC_PTR(c, 1);
	int64_t r;

	if (!mc)
		return -ENOMEM;
	r = svc_fd_check(c, 0);
	if (!r)
		r = msg_take(c, c->a[1], 1, mc);
	if (!r) {
		r = SVC_SYS(SYS_recvmsg, c->a[0], &mc->m, c->a[2]);
		if (r >= 0) { /* what Linux updates in the program's msghdr */
			user->msg_namelen = mc->m.msg_namelen;
			user->msg_controllen = mc->m.msg_controllen;
			user->msg_flags = mc->m.msg_flags;
		}
	}
	free(mc);
	return r;
}

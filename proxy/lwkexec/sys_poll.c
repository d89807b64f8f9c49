// SPDX-License-Identifier: GPL-2.0-only
/*
 * Waiting on descriptors: poll, select, epoll, timerfd. The program's
 * signals live on the LWK, not in lwkexec, so the signal masks of ppoll,
 * pselect6 and epoll_pwait cannot apply here: those calls run with no
 * mask, and a signal for the waiting thread interrupts them through the
 * channel (intr_seq) like any other blocked call.
 */
#include <errno.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "service.h"

#define EPOLL_EVENT_SIZE 12 /* packed on x86_64 */
#define POLLFD_SIZE 8

int64_t sys_poll(struct svc_call *c)
{
	SVC_TRY(svc_buf_check(c, 0, (uint64_t)(uint32_t)c->a[1] * POLLFD_SIZE, 1));
	return SVC_SYS(SYS_poll, c->a[0], c->a[1], c->a[2]);
}

int64_t sys_ppoll(struct svc_call *c)
{
	SVC_TRY(svc_buf_check(c, 0, (uint64_t)(uint32_t)c->a[1] * POLLFD_SIZE, 1));
	SVC_TRY(svc_buf_check(c, 2, c->a[2] ? sizeof(struct timespec) : 0, 1));
	return SVC_SYS(SYS_ppoll, c->a[0], c->a[1], c->a[2], NULL, 0);
}

/* The three fd_sets of select: as many bytes as nfds bits in longs. */
static int64_t fdsets_check(struct svc_call *c)
{
	int nfds = (int)c->a[0];
	uint64_t bytes;

	if (nfds < 0)
		return -EINVAL;
	bytes = ((uint64_t)nfds + 63) / 64 * 8;
	for (int i = 1; i <= 3; i++)
		SVC_TRY(svc_buf_check(c, i, c->a[i] ? bytes : 0, 1));
	return 0;
}

int64_t sys_select(struct svc_call *c)
{
	SVC_TRY(fdsets_check(c));
	SVC_TRY(svc_buf_check(c, 4, c->a[4] ? 16 : 0, 1));
	return SVC_SYS(SYS_select, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4]);
}

int64_t sys_pselect6(struct svc_call *c)
{
	SVC_TRY(fdsets_check(c));
	SVC_TRY(svc_buf_check(c, 4, c->a[4] ? sizeof(struct timespec) : 0, 1));
	return SVC_SYS(SYS_pselect6, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], NULL);
}

int64_t sys_epoll_create(struct svc_call *c)
{
	return SVC_SYS(SYS_epoll_create, c->a[0]);
}

int64_t sys_epoll_create1(struct svc_call *c)
{
	return SVC_SYS(SYS_epoll_create1, c->a[0]);
}

int64_t sys_epoll_ctl(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_fd_check(c, 2));
	if ((int)c->a[1] != EPOLL_CTL_DEL || c->a[3])
		SVC_TRY(svc_buf_check(c, 3, EPOLL_EVENT_SIZE, 0));
	return SVC_SYS(SYS_epoll_ctl, c->a[0], c->a[1], c->a[2], c->a[3]);
}

static int64_t events_check(struct svc_call *c)
{
	int max = (int)c->a[2];

	SVC_TRY(svc_fd_check(c, 0));
	if (max <= 0 || max > INT_MAX / EPOLL_EVENT_SIZE)
		return -EINVAL;
	return svc_buf_check(c, 1, (uint64_t)max * EPOLL_EVENT_SIZE, 1);
}

int64_t sys_epoll_wait(struct svc_call *c)
{
	SVC_TRY(events_check(c));
	return SVC_SYS(SYS_epoll_wait, c->a[0], c->a[1], c->a[2], c->a[3]);
}

int64_t sys_epoll_pwait(struct svc_call *c)
{
	SVC_TRY(events_check(c));
	return SVC_SYS(SYS_epoll_pwait, c->a[0], c->a[1], c->a[2], c->a[3], NULL, 0);
}

int64_t sys_epoll_pwait2(struct svc_call *c)
{
	SVC_TRY(events_check(c));
	SVC_TRY(svc_buf_check(c, 3, c->a[3] ? sizeof(struct timespec) : 0, 0));
	return SVC_SYS(SYS_epoll_pwait2, c->a[0], c->a[1], c->a[2], c->a[3], NULL, 0);
}

/* timerfd: a descriptor that becomes readable when its timer fires. */
int64_t sys_timerfd_create(struct svc_call *c)
{
	return SVC_SYS(SYS_timerfd_create, c->a[0], c->a[1]);
}

int64_t sys_timerfd_settime(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 2, 2 * sizeof(struct timespec), 0));
	SVC_TRY(svc_buf_check(c, 3, c->a[3] ? 2 * sizeof(struct timespec) : 0, 1));
	return SVC_SYS(SYS_timerfd_settime, c->a[0], c->a[1], c->a[2], c->a[3]);
}

int64_t sys_timerfd_gettime(struct svc_call *c)
{
	SVC_TRY(svc_fd_check(c, 0));
	SVC_TRY(svc_buf_check(c, 1, 2 * sizeof(struct timespec), 1));
	return SVC_SYS(SYS_timerfd_gettime, c->a[0], c->a[1]);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rest: memory figures, timers whose signal lwkexec passes on to the
 * process, and waiting for children, which the program never has: fork
 * and exec are answered by the LWK itself (-ENOSYS), never by lwkexec,
 * which would let the program escape to Linux.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <unistd.h>
#include "service.h"

/* Linux's figures, but the memory is what the process can have on the
 * LWK, as /proc/meminfo says it. */
int64_t sys_sysinfo(struct svc_call *c)
{
	struct sysinfo si;

	SVC_TRY(svc_buf_check(c, 0, sizeof(si), 1));
	if (syscall(SYS_sysinfo, &si))
		return -errno;
	si.totalram = ident_mem_total(c->svc);
	si.freeram = ident_mem_free(c->svc);
	si.sharedram = si.bufferram = 0;
	si.totalswap = si.freeswap = 0;
	si.totalhigh = si.freehigh = 0;
	si.mem_unit = 1;
	memcpy(SVC_PTR(c, 0), &si, sizeof(si));
	return 0;
}

/* ITIMER_REAL and alarm: SIGALRM reaches lwkexec, which passes it on.
 * The CPU-time timers (ITIMER_VIRTUAL, ITIMER_PROF) would measure
 * lwkexec, not the program: not served yet, so ENOSYS rather than a
 * timer that never fires. */
static int64_t itimer_which(struct svc_call *c)
{
	int which = (int)c->a[0];

	if (which == ITIMER_VIRTUAL || which == ITIMER_PROF)
		return -ENOSYS;
	return which == ITIMER_REAL ? 0 : -EINVAL;
}

int64_t sys_alarm(struct svc_call *c)
{
	return SVC_SYS(SYS_alarm, c->a[0]);
}

int64_t sys_setitimer(struct svc_call *c)
{
	SVC_TRY(itimer_which(c));
	SVC_TRY(svc_buf_check(c, 1, c->a[1] ? sizeof(struct itimerval) : 0, 0));
	SVC_TRY(svc_buf_check(c, 2, c->a[2] ? sizeof(struct itimerval) : 0, 1));
	return SVC_SYS(SYS_setitimer, c->a[0], c->a[1], c->a[2]);
}

int64_t sys_getitimer(struct svc_call *c)
{
	SVC_TRY(itimer_which(c));
	SVC_TRY(svc_buf_check(c, 1, sizeof(struct itimerval), 1));
	return SVC_SYS(SYS_getitimer, c->a[0], c->a[1]);
}

/* The program never has children: lwkexec makes none for it. */
int64_t sys_wait4(struct svc_call *c)
{
	return -ECHILD;
}

int64_t sys_waitid(struct svc_call *c)
{
	return -ECHILD;
}

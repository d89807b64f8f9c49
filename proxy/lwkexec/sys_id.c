// SPDX-License-Identifier: GPL-2.0-only
/*
 * Identity: the program runs as the user who started lwkexec, with
 * lwkexec's parent as its parent and lwkexec's process group and session.
 * Process IDs are the LWK's (getpid is answered there), so a call about
 * some other pid finds nothing here.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "service.h"

#define ID_CALL(name)                          \
	int64_t sys_##name(struct svc_call *c) \
	{                                      \
		return SVC_SYS(SYS_##name);    \
	}

ID_CALL(getuid)
ID_CALL(geteuid)
ID_CALL(getgid)
ID_CALL(getegid)
ID_CALL(getppid)
ID_CALL(getpgrp)

int64_t sys_getgroups(struct svc_call *c)
{
	int size = (int)c->a[0];

	if (size < 0)
		return -EINVAL;
	SVC_TRY(svc_buf_check(c, 1, (uint64_t)size * sizeof(gid_t), 1));
	return SVC_SYS(SYS_getgroups, size, c->a[1]);
}

static int64_t getres(struct svc_call *c, long nr)
{
	for (int i = 0; i < 3; i++)
		SVC_TRY(svc_buf_check(c, i, sizeof(uint32_t), 1));
	return SVC_SYS(nr, c->a[0], c->a[1], c->a[2]);
}

int64_t sys_getresuid(struct svc_call *c)
{
	return getres(c, SYS_getresuid);
}

int64_t sys_getresgid(struct svc_call *c)
{
	return getres(c, SYS_getresgid);
}

int64_t sys_umask(struct svc_call *c)
{
	return SVC_SYS(SYS_umask, c->a[0]);
}

/* getpgid/getsid of the program itself (0 or its LWK pid); no other
 * process is visible from here. */
static int64_t own_pid_call(struct svc_call *c, long nr)
{
	uint32_t pid = (uint32_t)c->a[0];

	if (pid && pid != c->svc->pid)
		return -ESRCH;
	return SVC_SYS(nr, 0);
}

int64_t sys_getpgid(struct svc_call *c)
{
	return own_pid_call(c, SYS_getpgid);
}

int64_t sys_getsid(struct svc_call *c)
{
	return own_pid_call(c, SYS_getsid);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/* libc-min (user space only): struct utsname as the Linux uname syscall fills it. */
#pragma once

#ifdef LWK_KERNEL
#error "user-space header"
#endif

struct utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};

int uname(struct utsname *buf);

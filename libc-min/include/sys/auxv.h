/* SPDX-License-Identifier: GPL-2.0-only */
/* libc-min (user space only): the ELF auxiliary vector the kernel puts on
 * the initial stack after envp; crt0 remembers where it is. */
#pragma once

#ifdef LWK_KERNEL
#error "user-space header"
#endif

#define AT_NULL 0
#define AT_IGNORE 1
#define AT_EXECFD 2
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_FLAGS 8
#define AT_ENTRY 9
#define AT_NOTELF 10
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_PLATFORM 15
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_BASE_PLATFORM 24
#define AT_RANDOM 25
#define AT_HWCAP2 26
#define AT_EXECFN 31
#define AT_SYSINFO_EHDR 33
#define AT_MINSIGSTKSZ 51

/* The value of entry @type, or 0 with errno ENOENT when there is none. */
unsigned long getauxval(unsigned long type);

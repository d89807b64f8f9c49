/* SPDX-License-Identifier: GPL-2.0-only */
/* libc-min (user space only): POSIX I/O and process calls, and syscall(). */
#pragma once

#ifdef LWK_KERNEL
#error "user-space header"
#endif

#include <sys/types.h>

#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

extern char **environ;

long syscall(long nr, ...);

ssize_t read(int fd, void *buf, size_t count);
ssize_t write(int fd, const void *buf, size_t count);
int close(int fd);
off_t lseek(int fd, off_t offset, int whence);
void _exit(int status) __attribute__((noreturn));
pid_t getpid(void);
pid_t gettid(void);
int brk(void *addr);
void *sbrk(intptr_t increment);

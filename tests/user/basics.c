// SPDX-License-Identifier: GPL-2.0-only
/*
 * Process identity and the plain POSIX calls: getpid/gettid, kill and
 * raise with signal 0, uname, getrandom, sched_yield, and file I/O on the
 * program's own executable (open/read/lseek/close), with their errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "lwk_test.h"

static void check_identity(void)
{
	pid_t pid = getpid();

	printf("pid %d tid %d\n", (int)pid, (int)gettid());
	EXPECT(pid > 0);
	EXPECT(gettid() == pid); /* the only thread is the leader */
	EXPECT(kill(pid, 0) == 0);
	EXPECT(raise(0) == 0);
	errno = 0;
	EXPECT(kill(pid, 12345) == -1 && errno == EINVAL);
	EXPECT(sched_yield() == 0);
}

static void check_uname(void)
{
	struct utsname u;

	EXPECT(uname(&u) == 0);
	printf("uname: %s %s %s\n", u.sysname, u.release, u.machine);
	EXPECT(u.sysname[0] != '\0');
	EXPECT(!strcmp(u.machine, "x86_64"));
}

static void check_getrandom(void)
{
	unsigned char a[32], b[32];

	EXPECT(getrandom(a, sizeof(a), 0) == sizeof(a));
	EXPECT(getrandom(b, sizeof(b), 0) == sizeof(b));
	EXPECT(memcmp(a, b, sizeof(a)) != 0); /* equal by chance: 1 in 2^256 */
}

/* The executable is the one file every runner is sure to have. */
static void check_files(const char *self)
{
	char magic[4];
	int fd = open(self, O_RDONLY);
	off_t size;

	EXPECT(fd >= 0);
	EXPECT(read(fd, magic, 4) == 4 && !memcmp(magic, "\177ELF", 4));
	size = lseek(fd, 0, SEEK_END);
	printf("%s: %ld bytes\n", self, (long)size);
	EXPECT(size > 4);
	EXPECT(lseek(fd, 1, SEEK_SET) == 1);
	EXPECT(read(fd, magic, 3) == 3 && !memcmp(magic, "ELF", 3));
	EXPECT(close(fd) == 0);
	errno = 0;
	EXPECT(close(fd) == -1 && errno == EBADF);
	errno = 0;
	EXPECT(read(-1, magic, 1) == -1 && errno == EBADF);
	errno = 0;
	EXPECT(open("/nonexistent/lwk-test", O_RDONLY) == -1 && errno == ENOENT);
	EXPECT(write(STDOUT_FILENO, "write ok\n", 9) == 9);
}

int main(int argc, char **argv)
{
	check_identity();
	check_uname();
	check_getrandom();
	/* write() below goes around printf's buffer: empty it first. */
	fflush(stdout);
	check_files(argv[0]);
	test_pass("basics");
	return 0;
}

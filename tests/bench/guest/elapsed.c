// SPDX-License-Identifier: GPL-2.0-only
/*
 * elapsed CMD [ARGS...]: runs CMD (its output goes where ours goes) and
 * prints "elapsed_ns=N status=S" on stdout, N the wall time from fork to
 * its end on CLOCK_MONOTONIC, S its exit status (128+N for signal N, 127
 * when it could not be started). The bench guest's stopwatch: busybox's
 * date has no sub-second format.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	uint64_t t0;
	int status, code;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: elapsed CMD [ARGS...]\n");
		return 2;
	}
	fflush(stdout);
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("elapsed: fork");
		return 127;
	}
	if (!pid) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "elapsed: cannot run %s\n", argv[1]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("elapsed: waitpid");
		return 127;
	}
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("elapsed_ns=%llu status=%d\n", (unsigned long long)(now_ns() - t0), code);
	return code;
}

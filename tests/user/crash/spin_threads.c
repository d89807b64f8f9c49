// SPDX-License-Identifier: GPL-2.0-only
/*
 * spin_threads N [exit5|tgkill|kill|segv]: starts N threads that spin forever
 * without a system call, and main waits for them in pthread_join. With
 * more threads than cores, the threads that share a core never get their
 * turn, nor does main once its join blocked: a signal must end the
 * process all the same (tests/vm/threads.sh, lwkctl bare in
 * tests/run-all.sh). Once a thread spins on every core the process has,
 * the last of them to start:
 *   (default) prints "spinning";
 *   exit5     prints it too; SIGUSR1 has a handler that calls _exit(5),
 *             which must run on a thread that gets to run;
 *   tgkill    sends SIGTERM to main, which is stuck behind a spinner;
 *   kill      blocks SIGTERM and sends it to the process: it must go to
 *             a thread that does not block it, all of them stuck;
 *   segv      dereferences NULL: every thread, running or queued, must
 *             die with it (SIGSEGV, 139).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_int started;
static int running; /* how many spin at once: one a core */
static const char *mode = "";
static pid_t main_tid;

static void on_usr1(int sig)
{
	(void)sig;
	_exit(5);
}

/* What the last thread to find a free core does before it spins. */
static void last_to_start(void)
{
	sigset_t term;

	if (!strcmp(mode, "tgkill")) {
		syscall(SYS_tgkill, getpid(), main_tid, SIGTERM);
	} else if (!strcmp(mode, "kill")) {
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &term, NULL);
		kill(getpid(), SIGTERM);
	} else if (!strcmp(mode, "segv")) {
		*(volatile int *)NULL = 1;
	} else {
		/* One write: the call blocks this thread, and a thread queued
		 * behind it may take the core for good (stdio would first
		 * ask fstat, and never get to write). */
		write(1, "spinning\n", 9);
	}
}

static void *spinner(void *arg)
{
	static volatile unsigned long spins;

	if (atomic_fetch_add(&started, 1) + 1 == running)
		last_to_start();
	for (;;)
		spins++;
	return arg;
}

static int cores(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) ? 1 : CPU_COUNT(&set);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	pthread_t t;

	if (argc > 2)
		mode = argv[2];
	if (n < 1 || argc > 3 ||
	    (argc > 2 && strcmp(mode, "exit5") && strcmp(mode, "tgkill") && strcmp(mode, "kill") &&
	     strcmp(mode, "segv"))) {
		fprintf(stderr, "usage: spin_threads N [exit5|tgkill|kill|segv]\n");
		return 2;
	}
	if (!strcmp(mode, "exit5"))
		signal(SIGUSR1, on_usr1);
	main_tid = gettid();
	running = n < cores() ? n : cores();
	for (int i = 0; i < n; i++)
		if (pthread_create(&t, NULL, spinner, NULL))
			return 1;
	pthread_join(t, NULL); /* never returns */
	return 3;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * exit() from a worker while the other threads are busy in every way a
 * thread can be: one spins in user mode without a system call, one waits
 * on a condition variable, one sleeps for a minute, and main waits in
 * pthread_join. The process must end at once with status 7: each of them
 * is killed where it is. With two cores, the sleeper is queued behind the
 * spinner and has not even started when the end comes.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static atomic_int spinning, waiting;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void *spinner(void *arg)
{
	volatile unsigned long n = 0;

	atomic_store(&spinning, 1);
	for (;;)
		n++;
	return arg;
}

static void *waiter(void *arg)
{
	pthread_mutex_lock(&lock);
	atomic_store(&waiting, 1);
	for (;;)
		pthread_cond_wait(&never, &lock);
	return arg;
}

static void *sleeper(void *arg)
{
	sleep(60);
	return arg;
}

static void *ender(void *arg)
{
	struct timespec ms = { 0, 1000000 };

	while (!atomic_load(&spinning) || !atomic_load(&waiting))
		nanosleep(&ms, NULL);
	nanosleep(&ms, NULL); /* let the waiter reach its futex wait */
	exit(7);
	return arg;
}

int main(void)
{
	void *(*fns[])(void *) = { spinner, waiter, sleeper, ender };
	pthread_t t[4];

	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, fns[i], NULL))
			return 1;
	pthread_join(t[1], NULL); /* never returns */
	return 2;
}

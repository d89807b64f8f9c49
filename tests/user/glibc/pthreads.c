// SPDX-License-Identifier: GPL-2.0-only
/*
 * POSIX threads on futexes: create and join, a contended mutex, a condition
 * variable hand-over in order, and a barrier, each with an exact expected
 * result. Every worker reports its pthread_self(), its thread id and the CPU
 * it ran on. With LWK_EXPECT_DISTINCT_CPUS=1 (the LWK gives each thread a
 * core of its own) the four workers must have run on four distinct CPUs;
 * a Linux host may legitimately share a core between them.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lwk_test.h"

#define NR_WORKERS 4
#define INCREMENTS 100000
#define ITEMS 10000
#define QUEUE_SLOTS 16
#define ROUNDS 100

struct worker {
	int index;
	pthread_t handle; /* from pthread_create() */
	pthread_t self;	  /* from pthread_self() in the thread */
	pid_t tid;
	int cpu;
};

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
/* Who is inside the critical section: volatile, so that a second thread
 * let in by a broken lock is seen at once, not only in the final count. */
static volatile int holder = -1;

static pthread_barrier_t barrier;
/* arrived[r][w] is written by worker w before round r's barrier only, so
 * reading it after that barrier cannot race with a later round. */
static int arrived[ROUNDS][NR_WORKERS];
static int serial_threads[ROUNDS];

static void count_up(int index)
{
	for (int i = 0; i < INCREMENTS; i++) {
		EXPECT(pthread_mutex_lock(&counter_lock) == 0);
		EXPECT(holder == -1);
		holder = index;
		counter++;
		EXPECT(holder == index);
		holder = -1;
		EXPECT(pthread_mutex_unlock(&counter_lock) == 0);
	}
}

/* Returns 1 in the one thread that pthread_barrier_wait() chose. */
static int barrier_wait(void)
{
	int ret = pthread_barrier_wait(&barrier);

	EXPECT(ret == 0 || ret == PTHREAD_BARRIER_SERIAL_THREAD);
	return ret == PTHREAD_BARRIER_SERIAL_THREAD;
}

static void barrier_rounds(int index)
{
	for (int r = 0; r < ROUNDS; r++) {
		arrived[r][index] = r + 1;
		if (barrier_wait())
			__atomic_fetch_add(&serial_threads[r], 1, __ATOMIC_RELAXED);
		for (int w = 0; w < NR_WORKERS; w++)
			if (arrived[r][w] != r + 1) {
				printf("round %d: worker %d left before worker %d came\n", r, index,
				       w);
				EXPECT(arrived[r][w] == r + 1);
			}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	w->self = pthread_self();
	w->tid = gettid();
	/* Start together: a thread that finished before the next one was
	 * created would leave the mutex uncontended. */
	barrier_wait();
	count_up(w->index);
	barrier_rounds(w->index);
	/* All four are alive here, so each one holds a CPU of its own on the LWK. */
	w->cpu = sched_getcpu();
	barrier_wait();
	return (void *)(uintptr_t)(w->index + 100);
}

static void check_identities(const struct worker *w)
{
	for (int i = 0; i < NR_WORKERS; i++) {
		printf("worker %d: tid %d cpu %d\n", i, (int)w[i].tid, w[i].cpu);
		EXPECT(w[i].cpu >= 0);
		EXPECT(w[i].tid > 0 && w[i].tid != getpid());
		EXPECT(pthread_equal(w[i].self, w[i].handle));
		EXPECT(!pthread_equal(w[i].self, pthread_self()));
		for (int j = 0; j < i; j++) {
			EXPECT(w[i].tid != w[j].tid);
			EXPECT(!pthread_equal(w[i].self, w[j].self));
		}
	}
}

static void check_distinct_cpus(const struct worker *w)
{
	const char *expect = getenv("LWK_EXPECT_DISTINCT_CPUS");

	if (!expect || strcmp(expect, "1") != 0) {
		printf("CPU placement not checked (LWK_EXPECT_DISTINCT_CPUS unset)\n");
		return;
	}
	for (int i = 0; i < NR_WORKERS; i++)
		for (int j = 0; j < i; j++)
			EXPECT(w[i].cpu != w[j].cpu);
	printf("the %d workers ran on %d distinct CPUs\n", NR_WORKERS, NR_WORKERS);
}

static void check_workers(void)
{
	struct worker w[NR_WORKERS];

	EXPECT(gettid() == getpid());
	EXPECT(pthread_barrier_init(&barrier, NULL, NR_WORKERS) == 0);
	for (int i = 0; i < NR_WORKERS; i++) {
		w[i] = (struct worker){ .index = i, .cpu = -1 };
		EXPECT(pthread_create(&w[i].handle, NULL, worker_main, &w[i]) == 0);
	}
	for (int i = 0; i < NR_WORKERS; i++) {
		void *ret = NULL;

		EXPECT(pthread_join(w[i].handle, &ret) == 0);
		EXPECT(ret == (void *)(uintptr_t)(i + 100));
	}
	EXPECT(pthread_barrier_destroy(&barrier) == 0);
	printf("mutex counter %ld (expected %d)\n", counter, NR_WORKERS * INCREMENTS);
	EXPECT(counter == NR_WORKERS * INCREMENTS);
	for (int r = 0; r < ROUNDS; r++)
		EXPECT(serial_threads[r] == 1);
	printf("barrier: %d rounds, every worker saw every round\n", ROUNDS);
	check_identities(w);
	check_distinct_cpus(w);
}

/* A bounded queue: the producer waits while it is full, the consumer while
 * it is empty, so both sides of the condition variable get exercised. */
struct queue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	int items[QUEUE_SLOTS];
	unsigned head, tail;
};

static struct queue queue = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.not_empty = PTHREAD_COND_INITIALIZER,
	.not_full = PTHREAD_COND_INITIALIZER,
};

static void queue_put(struct queue *q, int item)
{
	EXPECT(pthread_mutex_lock(&q->lock) == 0);
	while (q->tail - q->head == QUEUE_SLOTS)
		EXPECT(pthread_cond_wait(&q->not_full, &q->lock) == 0);
	q->items[q->tail++ % QUEUE_SLOTS] = item;
	EXPECT(pthread_cond_signal(&q->not_empty) == 0);
	EXPECT(pthread_mutex_unlock(&q->lock) == 0);
}

static int queue_get(struct queue *q)
{
	int item;

	EXPECT(pthread_mutex_lock(&q->lock) == 0);
	while (q->tail == q->head)
		EXPECT(pthread_cond_wait(&q->not_empty, &q->lock) == 0);
	item = q->items[q->head++ % QUEUE_SLOTS];
	EXPECT(pthread_cond_signal(&q->not_full) == 0);
	EXPECT(pthread_mutex_unlock(&q->lock) == 0);
	return item;
}

static void *producer_main(void *arg)
{
	for (int i = 0; i < ITEMS; i++)
		queue_put(&queue, i * 3 + 1);
	return NULL;
}

static void *consumer_main(void *arg)
{
	for (int i = 0; i < ITEMS; i++) {
		int item = queue_get(&queue);

		if (item != i * 3 + 1) {
			printf("item %d arrived as %d\n", i, item);
			EXPECT(item == i * 3 + 1);
		}
	}
	return (void *)(uintptr_t)ITEMS;
}

static void check_producer_consumer(void)
{
	pthread_t producer, consumer;
	void *received = NULL;

	EXPECT(pthread_create(&consumer, NULL, consumer_main, NULL) == 0);
	EXPECT(pthread_create(&producer, NULL, producer_main, NULL) == 0);
	EXPECT(pthread_join(producer, NULL) == 0);
	EXPECT(pthread_join(consumer, &received) == 0);
	EXPECT(received == (void *)(uintptr_t)ITEMS);
	EXPECT(queue.head == ITEMS && queue.tail == ITEMS);
	printf("condvar queue: %d items handed over in order\n", ITEMS);
}

int main(void)
{
	check_workers();
	check_producer_consumer();
	test_pass("pthreads");
	return 0;
}

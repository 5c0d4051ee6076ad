/* Boot test of uksched + schedcoop + the pthread names: ping-pong through semaphores, a
 * contended mutex, sleeps that halt the CPU, join values, a producer/consumer over wait queues,
 * timeouts, per-thread errno, and main returning while a thread still waits. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uk/sched.h>

#define ROUNDS 5

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Ping-pong: two threads hand a token back and forth through two semaphores. */
static sem_t ping, pong;
static char trace[64];
static int trace_len;

static void *pinger(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		sem_wait(&ping);
		trace[trace_len++] = 'i';
		sem_post(&pong);
	}
	return (void *)11;
}

static void *ponger(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		sem_wait(&pong);
		trace[trace_len++] = 'o';
		if (i + 1 < ROUNDS)
			sem_post(&ping);
	}
	return (void *)22;
}

/* A mutex held across yields: increments must not interleave. */
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static int counter, broken;

static void *incrementer(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < 100; i++) {
		pthread_mutex_lock(&counter_lock);
		int seen = counter;
		sched_yield();
		if (counter != seen)
			broken = 1;
		counter = seen + 1;
		pthread_mutex_unlock(&counter_lock);
	}
	return (void *)(id * 100);
}

/* Producer/consumer through a ring of 4 slots and two wait queues. */
#define SLOTS 4
#define ITEMS 20
static int ring[SLOTS];
static unsigned head, tail;
static struct uk_waitq not_empty = UK_WAITQ_INIT, not_full = UK_WAITQ_INIT;

static void *producer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= ITEMS; i++) {
		uk_waitq_wait_event(&not_full, head - tail < SLOTS, UK_WAIT_FOREVER);
		ring[head++ % SLOTS] = i;
		uk_waitq_wake_one(&not_empty);
		if (i % 7 == 0)
			uk_thread_sleep_ns(1000000);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	long sum = 0;
	for (int i = 0; i < ITEMS; i++) {
		uk_waitq_wait_event(&not_empty, head != tail, UK_WAIT_FOREVER);
		sum += ring[tail++ % SLOTS];
		uk_waitq_wake_one(&not_full);
	}
	return (void *)sum;
}

/* errno is saved and restored per thread. */
static void *errno_thread(void *arg)
{
	(void)arg;
	errno = 77;
	sched_yield();
	return (void *)(long)errno;
}

/* Waits forever: main returns while it is still blocked. */
static struct uk_semaphore never;

static void *forever(void *arg)
{
	(void)arg;
	uk_semaphore_down(&never);
	printf("unreachable\n");
	return NULL;
}

int main(void)
{
	pthread_t a, b;
	void *ra, *rb;

	/* 1. Ping-pong. */
	sem_init(&ping, 0, 1);
	sem_init(&pong, 0, 0);
	pthread_create(&a, NULL, pinger, NULL);
	pthread_create(&b, NULL, ponger, NULL);
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	printf("ping-pong: %s, joined %ld %ld\n", trace, (long)ra, (long)rb);

	/* 2. Mutex. */
	pthread_t workers[3];
	long total = 0;
	for (long i = 0; i < 3; i++)
		pthread_create(&workers[i], NULL, incrementer, (void *)(i + 1));
	for (int i = 0; i < 3; i++) {
		void *r;
		pthread_join(workers[i], &r);
		total += (long)r;
	}
	printf("mutex: counter %d, %s, join sum %ld\n", counter, broken ? "interleaved" : "exclusive",
	       total);
	printf("mutex relock: %s\n", pthread_mutex_lock(&counter_lock) == 0 &&
						     pthread_mutex_lock(&counter_lock) == EDEADLK
					     ? "EDEADLK"
					     : "wrong");
	pthread_mutex_unlock(&counter_lock);

	/* 3. Producer/consumer. */
	struct uk_thread *p = uk_thread_create("producer", producer, NULL, 0);
	struct uk_thread *c = uk_thread_create("consumer", consumer, NULL, 16384);
	void *sum;
	uk_thread_join(p, NULL);
	uk_thread_join(c, &sum);
	printf("producer/consumer: sum %ld (expected %d)\n", (long)sum, ITEMS * (ITEMS + 1) / 2);

	/* 4. Sleep: at least the time asked for, with the CPU halted meanwhile. */
	struct uk_sched_stats before, after;
	uk_sched_stats(&before);
	uint64_t start = now_ns();
	usleep(200000);
	uint64_t slept = now_ns() - start;
	uk_sched_stats(&after);
	uint64_t halts = after.idle_halts - before.idle_halts;
	printf("sleep 200 ms: %s\n", slept >= 200000000ull ? "long enough" : "too short");
	printf("idle: %s\n", halts >= 1 && halts <= 10 ? "halted" : "spinning");
	printf("slept %llu ms with %llu halts, idle %llu ms\n", (unsigned long long)(slept / 1000000),
	       (unsigned long long)halts,
	       (unsigned long long)((after.idle_ns - before.idle_ns) / 1000000));
	struct timespec ts = { 0, 30000000 };
	start = now_ns();
	nanosleep(&ts, NULL);
	printf("nanosleep 30 ms: %s\n", now_ns() - start >= 30000000ull ? "long enough" : "too short");

	/* 5. Timeouts. */
	struct uk_semaphore empty;
	uk_semaphore_init(&empty, 0);
	uint64_t deadline = now_ns() + 50000000ull;
	int status = uk_semaphore_down_until(&empty, deadline);
	printf("semaphore timeout: %s, %s\n", status == -ETIMEDOUT ? "ETIMEDOUT" : "wrong",
	       now_ns() >= deadline ? "after the deadline" : "early");
	struct uk_waitq nobody = UK_WAITQ_INIT;
	printf("waitq past deadline: %d\n", uk_waitq_wait(&nobody, 0));
	int tried = sem_trywait(&ping);
	printf("trywait on empty: %d %s\n", tried, errno == EAGAIN ? "EAGAIN" : "?");

	/* 6. errno per thread. */
	pthread_t e;
	void *their_errno;
	errno = 5;
	pthread_create(&e, NULL, errno_thread, NULL);
	pthread_join(e, &their_errno);
	printf("errno: mine %d, theirs %ld\n", errno, (long)their_errno);

	/* 7. Names, detach, and a thread left waiting when main returns. */
	printf("current: %s\n", uk_thread_name(uk_thread_current()));
	uk_semaphore_init(&never, 0);
	pthread_t waiter;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 8192);
	pthread_create(&waiter, &attr, forever, NULL);
	sched_yield();
	uk_sched_stats(&after);
	printf("threads alive: %u, switches: %s\n", after.threads,
	       after.switches > 20 ? "many" : "few");
	printf("main returns 3\n");
	return 3;
}

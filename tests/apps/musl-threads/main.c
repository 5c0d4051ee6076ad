/* POSIX threads through musl's libc.a, unmodified: on Linux the kernel serves clone and futex;
 * in a unikernel linux_syscall + linux_thread serve them over uksched. The output is the same
 * under a preemptive and a cooperative scheduler: every line is printed by main after the
 * threads it reports on have been joined or have signalled. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("FAILED: %s\n", what);
		exit(1);
	}
}

/* 1. A contended mutex: eight threads add to one counter. */
#define WORKERS 8
#define ADDS 20000
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *adder(void *arg)
{
	long id = (long)arg;

	for (int i = 0; i < ADDS; i++) {
		pthread_mutex_lock(&counter_lock);
		counter++;
		if (i % 1000 == (int)id)
			sched_yield(); /* yield while holding the lock: others must wait */
		pthread_mutex_unlock(&counter_lock);
	}
	return (void *)(id * id);
}

/* 2. A bounded queue with condition variables: two producers, two consumers. */
#define SLOTS 4
#define ITEMS 500
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static int queue[SLOTS], queue_head, queue_count, producers_left = 2;

static void *producer(void *arg)
{
	int base = (int)(long)arg;

	for (int i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&queue_lock);
		while (queue_count == SLOTS)
			pthread_cond_wait(&not_full, &queue_lock);
		queue[(queue_head + queue_count++) % SLOTS] = base + i;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&queue_lock);
	}
	pthread_mutex_lock(&queue_lock);
	producers_left--;
	pthread_cond_broadcast(&not_empty);
	pthread_mutex_unlock(&queue_lock);
	return NULL;
}

static void *consumer(void *arg)
{
	long sum = 0, taken = 0;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&queue_lock);
		while (queue_count == 0 && producers_left > 0)
			pthread_cond_wait(&not_empty, &queue_lock);
		if (queue_count == 0) {
			pthread_mutex_unlock(&queue_lock);
			break;
		}
		sum += queue[queue_head];
		queue_head = (queue_head + 1) % SLOTS;
		queue_count--;
		taken++;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&queue_lock);
	}
	(void)taken;
	return (void *)sum;
}

/* 3. Thread-local storage and errno stay per thread across switches. */
static __thread int tls_value = 7;
static pthread_barrier_t tls_barrier;

static void *tls_worker(void *arg)
{
	int mine = (int)(long)arg;
	int ok = tls_value == 7; /* every thread starts from the initial image */

	tls_value = mine;
	errno = 1000 + mine;
	pthread_barrier_wait(&tls_barrier); /* all threads have written theirs */
	for (int i = 0; i < 10; i++)
		sched_yield();
	ok = ok && tls_value == mine && errno == 1000 + mine;
	return (void *)(long)ok;
}

/* 4. Detached threads that post a semaphore and exit (musl unmaps their stacks). */
static sem_t finished;
static long detached_sum;
static pthread_mutex_t detached_lock = PTHREAD_MUTEX_INITIALIZER;

static void *detached(void *arg)
{
	pthread_mutex_lock(&detached_lock);
	detached_sum += (long)arg;
	pthread_mutex_unlock(&detached_lock);
	sem_post(&finished);
	return NULL;
}

/* 5. pthread_exit with a value, from a nested call. */
static void leave(long value)
{
	pthread_exit((void *)value);
}

static void *exiter(void *arg)
{
	leave((long)arg + 1);
	return NULL;
}

/* 6. Sleeping in one thread while another runs. */
static volatile int spinner_rounds;
static volatile int sleeper_done;

static void *sleeper(void *arg)
{
	struct timespec ts = { 0, 30 * 1000 * 1000 };
	uint64_t start = now_ns(CLOCK_MONOTONIC);

	(void)arg;
	nanosleep(&ts, NULL);
	sleeper_done = 1;
	return (void *)(long)(now_ns(CLOCK_MONOTONIC) - start >= 30000000ull);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;

static void once_init(void)
{
	once_runs++;
}

static void *once_worker(void *arg)
{
	(void)arg;
	pthread_once(&once, once_init);
	return (void *)(long)syscall(SYS_gettid);
}

static volatile int alarms;

static void on_alarm(int signal)
{
	(void)signal;
	alarms++;
}

int main(void)
{
	pthread_t threads[WORKERS];
	void *result;

	printf("== threads\n");

	/* 1 */
	long squares = 0;
	for (long i = 0; i < WORKERS; i++)
		check(pthread_create(&threads[i], NULL, adder, (void *)i) == 0, "create adder");
	for (int i = 0; i < WORKERS; i++) {
		check(pthread_join(threads[i], &result) == 0, "join adder");
		squares += (long)result;
	}
	printf("mutex: counter=%ld (expected %d), joined values sum to %ld\n", counter,
	       WORKERS * ADDS, squares);

	/* 2 */
	pthread_t prod[2], cons[2];
	long total = 0;
	pthread_create(&prod[0], NULL, producer, (void *)0L);
	pthread_create(&prod[1], NULL, producer, (void *)100000L);
	pthread_create(&cons[0], NULL, consumer, NULL);
	pthread_create(&cons[1], NULL, consumer, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(prod[i], NULL);
	for (int i = 0; i < 2; i++) {
		pthread_join(cons[i], &result);
		total += (long)result;
	}
	long expected = 2L * ITEMS * (ITEMS + 1) / 2 + 100000L * ITEMS;
	printf("condvar queue: consumed sum=%ld (expected %ld)\n", total, expected);

	/* 3 */
	pthread_barrier_init(&tls_barrier, NULL, 4);
	pthread_t tls_threads[4];
	int tls_ok = 1;
	tls_value = 99;
	errno = 0;
	for (long i = 0; i < 3; i++)
		pthread_create(&tls_threads[i], NULL, tls_worker, (void *)(i + 1));
	pthread_barrier_wait(&tls_barrier);
	for (int i = 0; i < 3; i++) {
		pthread_join(tls_threads[i], &result);
		tls_ok = tls_ok && (long)result;
	}
	printf("tls and errno per thread: %s (main's tls=%d)\n", tls_ok ? "yes" : "no",
	       tls_value);

	/* 4 */
	sem_init(&finished, 0, 0);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (int round = 0; round < 3; round++) {
		for (long i = 1; i <= 10; i++) {
			pthread_t t;
			check(pthread_create(&t, &attr, detached, (void *)i) == 0, "create detached");
		}
		for (int i = 0; i < 10; i++)
			sem_wait(&finished);
	}
	printf("detached: sum=%ld (expected 165)\n", detached_sum);

	/* 5 */
	pthread_t t;
	long exits = 0;
	for (long i = 0; i < 200; i++) {
		check(pthread_create(&t, NULL, exiter, (void *)i) == 0, "create exiter");
		pthread_join(t, &result);
		exits += (long)result;
	}
	printf("pthread_exit: 200 threads, values sum to %ld\n", exits);

	/* 6 */
	pthread_create(&t, NULL, sleeper, NULL);
	while (!sleeper_done) {
		spinner_rounds++;
		sched_yield();
	}
	pthread_join(t, &result);
	printf("sleep: slept >= 30 ms: %s; main ran meanwhile: %s\n", (long)result ? "yes" : "no",
	       spinner_rounds > 0 ? "yes" : "no");

	/* 7: timeouts */
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += 50 * 1000 * 1000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&m);
	int r = pthread_cond_timedwait(&c, &m, &deadline);
	pthread_mutex_unlock(&m);
	struct timespec after;
	clock_gettime(CLOCK_REALTIME, &after);
	int late = after.tv_sec > deadline.tv_sec ||
		   (after.tv_sec == deadline.tv_sec && after.tv_nsec >= deadline.tv_nsec);
	printf("cond_timedwait: %s, not early: %s\n", r == ETIMEDOUT ? "ETIMEDOUT" : strerror(r),
	       late ? "yes" : "no");
	sem_t empty;
	sem_init(&empty, 0, 0);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 0;
	deadline.tv_nsec = deadline.tv_nsec / 2;
	errno = 0;
	r = sem_timedwait(&empty, &deadline);
	printf("sem_timedwait in the past: %d %s\n", r, errno == ETIMEDOUT ? "ETIMEDOUT" : "?");

	/* 8: once, thread ids */
	pthread_t once_threads[4];
	long tids[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&once_threads[i], NULL, once_worker, NULL);
	for (int i = 0; i < 4; i++) {
		pthread_join(once_threads[i], &result);
		tids[i] = (long)result;
	}
	int distinct = 1;
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < i; j++)
			distinct = distinct && tids[i] != tids[j] && tids[i] != getpid();
	printf("pthread_once ran %d time(s); thread ids distinct from each other and the pid: %s\n",
	       once_runs, distinct ? "yes" : "no");

	/* 9: an interval timer interrupts a sleep (the only thread left: Linux delivers the
	 * signal to it), through the scheduler's sleep. */
	struct sigaction sa = { 0 };
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	struct timespec nap = { 5, 0 }, left = { 0, 0 };
	errno = 0;
	r = nanosleep(&nap, &left);
	printf("alarm during a 5 s sleep: %d %s, handler ran %d, time left 4 s: %s\n", r,
	       errno == EINTR ? "EINTR" : "?", alarms, left.tv_sec == 4 ? "yes" : "no");

	/* 10: a thread still blocked when main returns: exit ends the process. */
	pthread_create(&t, NULL, (void *(*)(void *))sem_wait, &empty);
	printf("== done\n");
	return 0;
}

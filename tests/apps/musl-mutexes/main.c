/* Robust and priority-inheritance mutexes through musl's own code: the owner-died protocol
 * (EOWNERDEAD on the next lock after a holder exits, pthread_mutex_consistent,
 * ENOTRECOVERABLE), set_robust_list/get_robust_list, and FUTEX_LOCK_PI/FUTEX_UNLOCK_PI/
 * FUTEX_TRYLOCK_PI under contention, with timeouts. Prints what is the same on every Linux. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char *error_name(int e) {
    switch (e) {
    case 0: return "0";
    case EBUSY: return "EBUSY";
    case EOWNERDEAD: return "EOWNERDEAD";
    case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EPERM: return "EPERM";
    case EDEADLK: return "EDEADLK";
    case ENOTSUP: return "ENOTSUP";
    case EINVAL: return "EINVAL";
    default: return "other";
    }
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static struct timespec realtime_in(long ms) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += (ms % 1000) * 1000000L;
    t.tv_sec += ms / 1000 + t.tv_nsec / 1000000000L;
    t.tv_nsec %= 1000000000L;
    return t;
}

static pthread_mutex_t robust, pi;
static int shared_counter;

static void *lock_and_exit(void *arg) {
    (void)arg;
    pthread_mutex_lock(&robust);
    return NULL; /* exits holding it */
}

static void robust_mutexes(void) {
    printf("== robust\n");
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    printf("setrobust: %s\n", error_name(pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST)));
    pthread_mutex_init(&robust, &attr);
    pthread_t t;
    pthread_create(&t, NULL, lock_and_exit, NULL);
    pthread_join(t, NULL);
    int r = pthread_mutex_lock(&robust);
    printf("lock after the owner exited: %s\n", error_name(r));
    printf("consistent: %s\n", error_name(pthread_mutex_consistent(&robust)));
    printf("unlock: %s\n", error_name(pthread_mutex_unlock(&robust)));
    printf("lock again: %s\n", error_name(pthread_mutex_lock(&robust)));
    pthread_mutex_unlock(&robust);

    /* Not made consistent: the mutex becomes unrecoverable. */
    pthread_create(&t, NULL, lock_and_exit, NULL);
    pthread_join(t, NULL);
    printf("lock after the owner exited: %s\n", error_name(pthread_mutex_lock(&robust)));
    printf("unlock without consistent: %s\n", error_name(pthread_mutex_unlock(&robust)));
    printf("lock then: %s\n", error_name(pthread_mutex_lock(&robust)));

    void *head = NULL;
    size_t len = 0;
    long g = syscall(SYS_get_robust_list, 0, &head, &len);
    printf("get_robust_list: %ld, head set %d, len %zu\n", g, head != NULL, len);
    pthread_mutexattr_destroy(&attr);
}

static void *contend(void *arg) {
    long rounds = (long)arg;
    for (long i = 0; i < rounds; i++) {
        pthread_mutex_lock(&pi);
        int seen = shared_counter;
        sched_yield();
        shared_counter = seen + 1;
        pthread_mutex_unlock(&pi);
    }
    return NULL;
}

static void *try_for_a_while(void *arg) {
    (void)arg;
    struct timespec deadline = realtime_in(60);
    int r = pthread_mutex_timedlock(&pi, &deadline);
    printf("timedlock on a held PI mutex: %s\n", error_name(r));
    printf("trylock on a held PI mutex: %s\n", error_name(pthread_mutex_trylock(&pi)));
    r = pthread_mutex_lock(&pi);
    printf("lock after the holder let go: %s, counter %d\n", error_name(r), shared_counter);
    pthread_mutex_unlock(&pi);
    return NULL;
}

static void pi_mutexes(void) {
    printf("== priority inheritance\n");
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    printf("setprotocol: %s\n",
           error_name(pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT)));
    int protocol = -1;
    pthread_mutexattr_getprotocol(&attr, &protocol);
    printf("protocol inherit: %d\n", protocol == PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&pi, &attr);
    printf("lock: %s\n", error_name(pthread_mutex_lock(&pi)));
    pthread_t t;
    pthread_create(&t, NULL, try_for_a_while, NULL);
    sleep_ms(200);
    shared_counter = 7;
    /* Printed after the join: the waiter may run as soon as the lock is handed over. */
    int unlocked = pthread_mutex_unlock(&pi);
    pthread_join(t, NULL);
    printf("unlock: %s\n", error_name(unlocked));

    shared_counter = 0;
    pthread_t workers[4];
    for (int i = 0; i < 4; i++) pthread_create(&workers[i], NULL, contend, (void *)500L);
    for (int i = 0; i < 4; i++) pthread_join(workers[i], NULL);
    printf("4 threads x 500 increments: %d\n", shared_counter);

    /* Robust and PI at once. */
    pthread_mutex_destroy(&pi);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &attr);
    pthread_create(&t, NULL, lock_and_exit, NULL);
    pthread_join(t, NULL);
    printf("robust PI lock after the owner exited: %s\n",
           error_name(pthread_mutex_lock(&robust)));
    printf("consistent: %s\n", error_name(pthread_mutex_consistent(&robust)));
    printf("unlock: %s\n", error_name(pthread_mutex_unlock(&robust)));
    pthread_mutexattr_destroy(&attr);
}

int main(void) {
    robust_mutexes();
    pi_mutexes();
    printf("== done\n");
    return 0;
}

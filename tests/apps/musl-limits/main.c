/* Waits on futexes in a single-threaded program, and resource limits, as Linux serves them:
 * semaphores and condition variables with timeouts (futex waits that only a timeout or a
 * signal can end), a timer's signal ending a semaphore wait with EINTR, and RLIMIT_NOFILE,
 * RLIMIT_AS and RLIMIT_DATA kept and enforced (for the memory the program maps). Prints only what is the same on every Linux
 * (no raw default limits, no times but bounds). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *error_name(int e) {
    switch (e) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case EINTR: return "EINTR";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EMFILE: return "EMFILE";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EPERM: return "EPERM";
    case ENOMEM: return "ENOMEM";
    case EBUSY: return "EBUSY";
    case EDEADLK: return "EDEADLK";
    case ENOTSUP: return "ENOTSUP";
    default: return "other";
    }
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static struct timespec realtime_in(long ms) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += (ms % 1000) * 1000000L;
    t.tv_sec += ms / 1000 + t.tv_nsec / 1000000000L;
    t.tv_nsec %= 1000000000L;
    return t;
}

/* A wait that should take about `ms`: long enough, and not a stall. */
static const char *took(double start, long ms) {
    double elapsed = now_ms() - start;
    if (elapsed < ms * 0.9) return "too short";
    if (elapsed > ms + 5000) return "too long";
    return "in time";
}

static volatile sig_atomic_t alarms;
static void on_alarm(int signal) { (void)signal; alarms++; }

static void futex_waits(void) {
    printf("== futex waits without threads\n");
    sem_t semaphore;
    sem_init(&semaphore, 0, 0);
    double start = now_ms(); /* before the deadline is set, as for every wait below */
    struct timespec deadline = realtime_in(80);
    int r = sem_timedwait(&semaphore, &deadline);
    printf("sem_timedwait on 0: %d %s, %s\n", r, error_name(r ? errno : 0), took(start, 80));
    sem_post(&semaphore);
    r = sem_wait(&semaphore);
    printf("sem_wait after sem_post: %d\n", r);
    r = sem_trywait(&semaphore);
    printf("sem_trywait on 0: %d %s\n", r, error_name(r ? errno : 0));

    pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
    pthread_mutex_lock(&mutex);
    start = now_ms();
    deadline = realtime_in(60);
    r = pthread_cond_timedwait(&cond, &mutex, &deadline);
    printf("pthread_cond_timedwait: %s, %s\n", error_name(r), took(start, 60));
    pthread_mutex_unlock(&mutex);

    /* A timer's signal ends a wait without a timeout; the handler has no SA_RESTART. */
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_alarm;
    sigaction(SIGALRM, &action, NULL);
    struct itimerval timer = {{0, 0}, {0, 50000}};
    start = now_ms(); /* before arming: a late start would make the wait look too short */
    setitimer(ITIMER_REAL, &timer, NULL);
    r = sem_wait(&semaphore);
    printf("sem_wait interrupted: %d %s, alarms %d, %s\n", r, error_name(r ? errno : 0),
           (int)alarms, took(start, 50));
    sem_destroy(&semaphore);
}

static void lock_protocols(void) {
    printf("== priority-inheritance and robust mutexes without threads\n");
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    printf("setprotocol inherit: %s\n",
           error_name(pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT)));
    printf("setrobust: %s\n", error_name(pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST)));
    pthread_mutex_t mutex;
    pthread_mutex_init(&mutex, &attr);
    printf("lock: %s\n", error_name(pthread_mutex_lock(&mutex)));
    printf("trylock held: %s\n", error_name(pthread_mutex_trylock(&mutex)));
    struct timespec deadline = realtime_in(30);
    printf("timedlock held: %s\n", error_name(pthread_mutex_timedlock(&mutex, &deadline)));
    printf("unlock: %s\n", error_name(pthread_mutex_unlock(&mutex)));
    printf("trylock free: %s\n", error_name(pthread_mutex_trylock(&mutex)));
    printf("unlock: %s\n", error_name(pthread_mutex_unlock(&mutex)));
    pthread_mutex_destroy(&mutex);
    pthread_mutexattr_destroy(&attr);
}

static void descriptor_limit(void) {
    printf("== RLIMIT_NOFILE\n");
    struct rlimit saved, limit;
    getrlimit(RLIMIT_NOFILE, &saved);
    printf("soft <= hard: %d\n", saved.rlim_cur <= saved.rlim_max);
    limit.rlim_cur = 16;
    limit.rlim_max = saved.rlim_max;
    printf("setrlimit 16: %d\n", setrlimit(RLIMIT_NOFILE, &limit));
    getrlimit(RLIMIT_NOFILE, &limit);
    printf("soft now %lu, hard kept %d\n", (unsigned long)limit.rlim_cur,
           limit.rlim_max == saved.rlim_max);
    int opened = 0, highest = -1, fd;
    while ((fd = open("/dev/null", O_RDONLY)) >= 0) {
        opened++;
        if (fd > highest) highest = fd;
    }
    printf("opened %d, highest %d, then %s\n", opened, highest, error_name(errno));
    int r = dup2(0, 16);
    printf("dup2 to 16: %d %s\n", r, error_name(errno));
    r = fcntl(0, F_DUPFD, 16);
    printf("F_DUPFD from 16: %d %s\n", r, error_name(errno));
    for (fd = 3; fd <= highest; fd++) close(fd);
    fd = fcntl(0, F_DUPFD, 10);
    printf("F_DUPFD from 10: %d\n", fd);
    close(fd);
    limit.rlim_cur = limit.rlim_max;
    limit.rlim_max = 8;
    r = setrlimit(RLIMIT_NOFILE, &limit);
    printf("soft above hard: %d %s\n", r, error_name(errno));
    limit.rlim_cur = 16;
    limit.rlim_max = (1UL << 20) + 1;
    r = setrlimit(RLIMIT_NOFILE, &limit);
    printf("hard above nr_open: %d %s\n", r, error_name(errno));
    printf("restored: %d\n", setrlimit(RLIMIT_NOFILE, &saved));
}

static void memory_limit(int resource, const char *name) {
    printf("== %s\n", name);
    struct rlimit saved, limit;
    getrlimit(resource, &saved);
    limit.rlim_cur = 8 << 20;
    limit.rlim_max = saved.rlim_max;
    printf("setrlimit 8 MiB: %d\n", setrlimit(resource, &limit));
    errno = 0;
    void *big = malloc(12 << 20);
    printf("malloc 12 MiB: %s %s\n", big ? "ok" : "NULL", error_name(big ? 0 : errno));
    free(big);
    void *small = malloc(2 << 20);
    printf("malloc 2 MiB: %s\n", small ? "ok" : "NULL");
    if (small) memset(small, 1, 2 << 20);
    free(small);
    printf("restored: %d\n", setrlimit(resource, &saved));
    big = malloc(12 << 20);
    printf("malloc 12 MiB again: %s\n", big ? "ok" : "NULL");
    free(big);
}

/* `without-memory-limits`: leave RLIMIT_AS and RLIMIT_DATA out (a linuxu image is a host
 * process whose address space also holds the platform's memory and the initrd). */
int main(int argc, char **argv) {
    futex_waits();
    lock_protocols();
    descriptor_limit();
    if (argc < 2 || strcmp(argv[1], "without-memory-limits") != 0) {
        memory_limit(RLIMIT_AS, "RLIMIT_AS");
        memory_limit(RLIMIT_DATA, "RLIMIT_DATA");
    }
    printf("== done\n");
    return 0;
}

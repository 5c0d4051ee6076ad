/* Signals as Linux delivers them, beyond a signal a program sends itself: alternate stacks
 * (SA_ONSTACK, SS_ONSTACK reported, SS_AUTODISARM), a signal sent to another thread (its
 * handler runs there and ends the thread's wait), a timer's signal ending a futex wait and a
 * blocking socket call with EINTR, SA_RESTART restarting a pipe read, and thread
 * cancellation: deferred at cancellation points (pthread_cond_wait, read, poll, nanosleep,
 * sem_wait, pthread_testcancel), asynchronous, with cleanup handlers. With `compute`, a
 * timer's signal also interrupts a loop that makes no system call; with `sockets`, a blocking
 * accept is among the waits. Prints only what is the same on every Linux. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *error_name(int e) {
    switch (e) {
    case 0: return "0";
    case EINTR: return "EINTR";
    case EPERM: return "EPERM";
    case ENOMEM: return "ENOMEM";
    case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN";
    default: return "other";
    }
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {}
}

static void one_shot_timer(long ms) {
    struct itimerval timer = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
    setitimer(ITIMER_REAL, &timer, NULL);
}

static void on(int signal, void (*handler)(int), int flags) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    action.sa_flags = flags;
    sigaction(signal, &action, NULL);
}

/* == alternate stacks */
static char *alt;
static volatile int on_alt_flags, local_on_alt, disable_error, query_flags_in_handler;

static void on_usr1_alt(int signal) {
    (void)signal;
    stack_t now;
    sigaltstack(NULL, &now);
    on_alt_flags = now.ss_flags;
    char local;
    local_on_alt = &local >= alt && &local < alt + SIGSTKSZ;
    stack_t off = {.ss_flags = SS_DISABLE};
    disable_error = sigaltstack(&off, NULL) == 0 ? 0 : errno;
}

static void on_usr2_query(int signal) {
    (void)signal;
    stack_t now;
    sigaltstack(NULL, &now);
    query_flags_in_handler = now.ss_flags;
}

static void alternate_stacks(void) {
    printf("== alternate stacks\n");
    alt = malloc(SIGSTKSZ);
    stack_t small = {.ss_sp = alt, .ss_size = 1024, .ss_flags = 0};
    int r = sigaltstack(&small, NULL);
    printf("too small: %d %s\n", r, error_name(r ? errno : 0));
    stack_t bad = {.ss_sp = alt, .ss_size = SIGSTKSZ, .ss_flags = 12345};
    r = sigaltstack(&bad, NULL);
    printf("bad flags: %d %s\n", r, error_name(r ? errno : 0));
    stack_t set = {.ss_sp = alt, .ss_size = SIGSTKSZ, .ss_flags = 0};
    printf("set: %d\n", sigaltstack(&set, NULL));
    stack_t now;
    sigaltstack(NULL, &now);
    printf("outside: flags %d, size ok %d, base ok %d\n", now.ss_flags, now.ss_size == SIGSTKSZ,
           now.ss_sp == alt);
    on(SIGUSR1, on_usr1_alt, SA_ONSTACK);
    raise(SIGUSR1);
    printf("in handler: SS_ONSTACK %d, local on it %d, disabling it: %s\n",
           (on_alt_flags & SS_ONSTACK) != 0, local_on_alt, error_name(disable_error));
    on(SIGUSR2, on_usr2_query, 0);
    raise(SIGUSR2);
    printf("handler without SA_ONSTACK: SS_ONSTACK %d\n", (query_flags_in_handler & SS_ONSTACK) != 0);
    stack_t autodisarm = {.ss_sp = alt, .ss_size = SIGSTKSZ, .ss_flags = SS_AUTODISARM};
    printf("autodisarm: %d\n", sigaltstack(&autodisarm, NULL));
    on(SIGUSR2, on_usr2_query, SA_ONSTACK);
    raise(SIGUSR2);
    printf("in an autodisarm handler: disabled %d\n", (query_flags_in_handler & SS_DISABLE) != 0);
    sigaltstack(NULL, &now);
    printf("after: autodisarm kept %d, enabled %d\n", (now.ss_flags & SS_AUTODISARM) != 0,
           (now.ss_flags & SS_DISABLE) == 0);
    stack_t off = {.ss_flags = SS_DISABLE};
    printf("disable: %d\n", sigaltstack(&off, NULL));
    sigaltstack(NULL, &now);
    printf("disabled: %d\n", (now.ss_flags & SS_DISABLE) != 0);
}

/* == a signal sent to another thread */
static pthread_t worker;
static volatile int handled_in_worker;
static void on_usr1_thread(int signal) {
    (void)signal;
    handled_in_worker = pthread_equal(pthread_self(), worker);
}

static void *sleeper(void *arg) {
    (void)arg;
    struct timespec t = {5, 0};
    int r = nanosleep(&t, &t);
    printf("worker's nanosleep: %d %s, handler ran here %d, time left > 3 s %d\n", r,
           error_name(r ? errno : 0), handled_in_worker, t.tv_sec >= 3);
    return NULL;
}

static void to_another_thread(void) {
    printf("== a signal to another thread\n");
    on(SIGUSR1, on_usr1_thread, 0);
    pthread_create(&worker, NULL, sleeper, NULL);
    sleep_ms(100);
    int r = pthread_kill(worker, SIGUSR1);
    pthread_join(worker, NULL);
    printf("pthread_kill: %d\n", r);
}

/* == timers end waits */
static volatile int alarms;
static void on_alarm(int signal) {
    (void)signal;
    alarms++;
}

static int restart_pipe[2];
static void *write_later(void *arg) {
    (void)arg;
    sleep_ms(200);
    write(restart_pipe[1], "x", 1);
    return NULL;
}

static int with_sockets;

static void timers_end_waits(void) {
    printf("== a timer's signal ends waits\n");
    on(SIGALRM, on_alarm, 0);
    sem_t never;
    sem_init(&never, 0, 0);
    one_shot_timer(50);
    int r = sem_wait(&never);
    printf("sem_wait: %d %s, alarms %d\n", r, error_name(r ? errno : 0), alarms);

    int listener = with_sockets ? socket(AF_INET, SOCK_STREAM, 0) : -1;
    if (listener >= 0) {
        struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0,
                                      .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        bind(listener, (struct sockaddr *)&address, sizeof address);
        listen(listener, 1);
        one_shot_timer(50);
        r = accept(listener, NULL, NULL);
        printf("accept: %d %s, alarms %d\n", r, error_name(r < 0 ? errno : 0), alarms);
        close(listener);
    }

    /* SA_RESTART: a pipe read is restarted and gets the byte written later. */
    pipe(restart_pipe);
    on(SIGALRM, on_alarm, SA_RESTART);
    int before = alarms;
    pthread_t writer;
    pthread_create(&writer, NULL, write_later, NULL);
    one_shot_timer(50);
    char byte = 0;
    ssize_t n = read(restart_pipe[0], &byte, 1);
    printf("read with SA_RESTART: %zd '%c', alarms ran %d\n", n, byte, alarms - before);
    pthread_join(writer, NULL);
    close(restart_pipe[0]);
    close(restart_pipe[1]);
    sem_destroy(&never);
}

/* == cancellation */
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int cancel_pipe[2];
static sem_t cancel_sem;
static volatile int cleanups;

static void cleanup(void *what) {
    cleanups++;
    printf("cleanup: %s\n", (const char *)what);
}

static void unlock_mutex(void *arg) {
    pthread_mutex_unlock(arg);
    cleanup("pthread_cond_wait");
}

static void *waits_in_cond_wait(void) {
    pthread_mutex_lock(&mutex);
    pthread_cleanup_push(unlock_mutex, &mutex);
    for (;;) pthread_cond_wait(&cond, &mutex);
    pthread_cleanup_pop(1);
    return NULL;
}

static void wait_in(const char *where) {
    if (!strcmp(where, "read")) {
        char byte;
        read(cancel_pipe[0], &byte, 1);
    } else if (!strcmp(where, "poll")) {
        struct pollfd p = {.fd = cancel_pipe[0], .events = POLLIN};
        poll(&p, 1, -1);
    } else if (!strcmp(where, "nanosleep")) {
        struct timespec t = {30, 0};
        nanosleep(&t, NULL);
    } else if (!strcmp(where, "sem_wait")) {
        sem_wait(&cancel_sem);
    } else if (!strcmp(where, "pthread_testcancel")) {
        for (;;) {
            sched_yield();
            pthread_testcancel();
        }
    }
}

/* Asynchronous cancellation acts between any two instructions: nothing here but a loop. */
static void *cancelled_anywhere(void *arg) {
    (void)arg;
    pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
    for (;;) sched_yield();
    return NULL;
}

static void *waits_in(void *arg) {
    const char *where = arg;
    if (!strcmp(where, "pthread_cond_wait")) return waits_in_cond_wait();
    if (!strcmp(where, "asynchronous")) return cancelled_anywhere(arg);
    pthread_cleanup_push(cleanup, arg);
    wait_in(where);
    printf("%s returned: not cancelled\n", where);
    pthread_cleanup_pop(0);
    return NULL;
}

static void cancellation(void) {
    printf("== cancellation\n");
    pipe(cancel_pipe);
    sem_init(&cancel_sem, 0, 0);
    const char *points[] = {"pthread_cond_wait", "read", "poll", "nanosleep", "sem_wait",
                            "pthread_testcancel", "asynchronous"};
    for (unsigned i = 0; i < sizeof points / sizeof points[0]; i++) {
        pthread_t t;
        cleanups = 0;
        pthread_create(&t, NULL, waits_in, (void *)points[i]);
        sleep_ms(100);
        int r = pthread_cancel(t);
        void *result = NULL;
        pthread_join(t, &result);
        printf("%s: cancel %d, cancelled %d, cleanups %d\n", points[i], r,
               result == PTHREAD_CANCELED, cleanups);
    }
    /* Cancellation disabled: the wait ends by itself and the thread returns. */
    close(cancel_pipe[0]);
    close(cancel_pipe[1]);
}

/* == a computing loop */
static volatile sig_atomic_t stop;
static void on_alarm_stop(int signal) {
    (void)signal;
    stop = 1;
}

static void computing_loop(void) {
    printf("== a timer's signal interrupts a loop without calls\n");
    on(SIGALRM, on_alarm_stop, 0);
    one_shot_timer(50);
    uint64_t spins = 0;
    while (!stop) spins++;
    printf("stopped after spinning: %d\n", spins > 0);
}

/* Arguments: `sockets` (a blocking accept too: the platform has a network), `compute`. */
int main(int argc, char **argv) {
    int compute = 0;
    for (int i = 1; i < argc; i++) {
        with_sockets |= !strcmp(argv[i], "sockets");
        compute |= !strcmp(argv[i], "compute");
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    alternate_stacks();
    to_another_thread();
    timers_end_waits();
    cancellation();
    if (compute) computing_loop();
    printf("== done\n");
    return 0;
}

/* What a unikernel refuses, and how: one address space, so no new processes (fork,
 * posix_spawn, system, popen fail with ENOSYS and a logged reason), and the sub-operations of
 * implemented calls that the system call layer does not serve (an fcntl command, a prctl
 * option, a futex operation) fail with Linux's error for an unknown one, each logged once by
 * name. The program itself carries on. Also: RLIMIT_STACK is the main stack's real size. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
/* musl-gcc has no kernel headers: the futex operation by number. */
#define FUTEX_WAKE_OP 5
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(void) {
    errno = 0;
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    printf("fork: %d %s\n", (int)pid, strerror(errno));

    char *argv[] = {"true", NULL};
    int r = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
    printf("posix_spawn: %s\n", strerror(r));

    errno = 0;
    r = system("true");
    printf("system: %d %s\n", r, strerror(errno));

    errno = 0;
    FILE *pipe = popen("true", "r");
    printf("popen: %s %s\n", pipe ? "a stream" : "NULL", strerror(errno));
    if (pipe) pclose(pipe);

    int fd = open("/dev/null", O_RDONLY);
    errno = 0;
    r = fcntl(fd, F_GET_SEALS);
    printf("fcntl F_GET_SEALS: %d %s\n", r, strerror(errno));
    close(fd);

    errno = 0;
    r = prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0);
    printf("prctl PR_SET_TIMERSLACK: %d %s\n", r, strerror(errno));

    static unsigned word;
    errno = 0;
    long l = syscall(SYS_futex, &word, FUTEX_WAKE_OP, 1, NULL, &word, 0);
    printf("futex FUTEX_WAKE_OP: %ld %s\n", l, strerror(errno));
    /* The main thread's stack does not grow: its limit is its size (musl_start's 1 MiB). */
    struct rlimit stack;
    getrlimit(RLIMIT_STACK, &stack);
    printf("RLIMIT_STACK: soft %lu, hard unlimited %d\n", (unsigned long)stack.rlim_cur,
           stack.rlim_max == RLIM_INFINITY);
    printf("carried on\n");
    return 0;
}

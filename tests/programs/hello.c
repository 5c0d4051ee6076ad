/* A small C program for tests/real_program.rs and bench/link.sh: linked through `gcc -B` and
 * `musl-gcc -B` with ukl as `ld`. Touches stdio with floats, the heap, qsort, a thread-local,
 * a constructor and an atexit handler, and exits with status 7. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local int thread_counter = 40;
static int constructed;

__attribute__((constructor)) static void construct(void) { constructed = 1; }

static void at_exit(void) { puts("atexit handler ran"); }

static int compare(const void *a, const void *b) {
    return *(const int *)a - *(const int *)b;
}

int main(int argc, char **argv) {
    (void)argv;
    atexit(at_exit);
    int values[] = {5, 3, 9, 1, 7};
    qsort(values, 5, sizeof values[0], compare);
    char *text = malloc(64);
    snprintf(text, 64, "%d %d %d %d %d", values[0], values[1], values[2], values[3], values[4]);
    thread_counter += argc + 1;
    printf("hello from a static program: sorted %s, %.3f, tls %d, constructed %d, len %zu\n",
           text, 2.0 / 3.0, thread_counter, constructed, strlen(text));
    free(text);
    return 7;
}

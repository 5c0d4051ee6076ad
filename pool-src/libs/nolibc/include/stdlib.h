/* nolibc: stdlib.h. Memory comes from the pool's allocator API (ukalloc); exit runs the atexit
 * handlers and ends the unikernel with the status through ukplat_terminate. */
#ifndef _NOLIBC_STDLIB_H
#define _NOLIBC_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fffffff

void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *block, size_t size);
void free(void *block);
void *aligned_alloc(size_t align, size_t size);
int posix_memalign(void **out, size_t align, size_t size);

void exit(int status) __attribute__((__noreturn__));
void _Exit(int status) __attribute__((__noreturn__));
void abort(void) __attribute__((__noreturn__));
int atexit(void (*handler)(void));
char *getenv(const char *name);

long strtol(const char *restrict str, char **restrict end, int base);
unsigned long strtoul(const char *restrict str, char **restrict end, int base);
long long strtoll(const char *restrict str, char **restrict end, int base);
unsigned long long strtoull(const char *restrict str, char **restrict end, int base);
double strtod(const char *restrict str, char **restrict end);
float strtof(const char *restrict str, char **restrict end);
double atof(const char *str);
int atoi(const char *str);
long atol(const char *str);
long long atoll(const char *str);

int abs(int value);
long labs(long value);
long long llabs(long long value);

void qsort(void *base, size_t count, size_t size, int (*compare)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t count, size_t size,
	      int (*compare)(const void *, const void *));

int rand(void);
void srand(unsigned int seed);

#endif

/* nolibc internal: the symbols nolibc takes from other pool libraries (see docs/pool-abi.md). */
#ifndef NOLIBC_IMPORTS_H
#define NOLIBC_IMPORTS_H

#include <stddef.h>
#include <stdint.h>

/* plat_* */
void ukplat_console_write(const char *buf, size_t len);
void ukplat_terminate(int status) __attribute__((__noreturn__));
uint64_t ukplat_monotonic_ns(void);
uint64_t ukplat_wall_ns(void);

/* boot: a normal end (exit hooks, then ukplat_terminate); the environment (NAME=VALUE
 * strings, then NULL: the command line's env.NAME=VALUE words, or a process's own) */
void uk_boot_exit(int status) __attribute__((__noreturn__));
char **uk_boot_environ(void);

/* ukalloc */
void *uk_malloc(size_t size);
void *uk_calloc(size_t count, size_t size);
void *uk_realloc(void *block, size_t size);
void *uk_memalign(size_t align, size_t size);
void uk_free(void *block);

#endif

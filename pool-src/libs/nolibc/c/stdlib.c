/* nolibc: memory allocation over ukalloc, program termination, environment and random
 * numbers. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "imports.h"

/* Exit status of abort(), as a shell reports SIGABRT. */
#define ABORT_STATUS 134
#define MAX_ATEXIT 32

void *malloc(size_t size)
{
	void *block = uk_malloc(size);

	if (block == NULL)
		errno = ENOMEM;
	return block;
}

void *calloc(size_t count, size_t size)
{
	void *block = uk_calloc(count, size);

	if (block == NULL)
		errno = ENOMEM;
	return block;
}

void *realloc(void *block, size_t size)
{
	void *resized = uk_realloc(block, size);

	if (resized == NULL && size != 0)
		errno = ENOMEM;
	return resized;
}

void free(void *block)
{
	uk_free(block);
}

void *aligned_alloc(size_t align, size_t size)
{
	void *block;

	if (align == 0 || (align & (align - 1)) != 0) {
		errno = EINVAL;
		return NULL;
	}
	block = uk_memalign(align, size);
	if (block == NULL)
		errno = ENOMEM;
	return block;
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *block;

	if (align < sizeof(void *) || (align & (align - 1)) != 0)
		return EINVAL;
	block = uk_memalign(align, size);
	if (block == NULL)
		return ENOMEM;
	*out = block;
	return 0;
}

static void (*atexit_handlers[MAX_ATEXIT])(void);
static int atexit_count;

int atexit(void (*handler)(void))
{
	if (atexit_count == MAX_ATEXIT)
		return -1;
	atexit_handlers[atexit_count++] = handler;
	return 0;
}

void exit(int status)
{
	/* Handlers run in reverse order of registration; one may register another. */
	while (atexit_count > 0)
		atexit_handlers[--atexit_count]();
	uk_boot_exit(status);
}

void _Exit(int status)
{
	uk_boot_exit(status);
}

void abort(void)
{
	static const char message[] = "Aborted\n";

	ukplat_console_write(message, sizeof(message) - 1);
	ukplat_terminate(ABORT_STATUS);
}

char *getenv(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || strchr(name, '='))
		return NULL;
	for (char **entry = uk_boot_environ(); *entry; entry++) {
		if (strncmp(*entry, name, len) == 0 && (*entry)[len] == '=')
			return *entry + len + 1;
	}
	return NULL;
}

static uint64_t rand_state = 1;

void srand(unsigned int seed)
{
	rand_state = seed;
}

int rand(void)
{
	/* 64-bit linear congruential generator (Knuth's MMIX constants), top 31 bits. */
	rand_state = rand_state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (int)(rand_state >> 33);
}

/* ukalloc: the pool's allocator API. An implementation (e.g. allocbuddy) registers a table of
 * operations from an init hook; everything else allocates through the uk_* functions. */
#ifndef UK_ALLOC_H
#define UK_ALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every block returned by uk_malloc, uk_calloc and uk_realloc is aligned to this. */
#define UK_ALLOC_MIN_ALIGN 16

/* Counters of the registered allocator. Sizes are in bytes and count whole blocks as the
 * allocator hands them out (a 20-byte request may use a 32-byte block). */
struct uk_alloc_stats {
	size_t total_bytes;      /* memory under management */
	size_t used_bytes;       /* in live blocks */
	size_t free_bytes;       /* total_bytes - used_bytes */
	size_t peak_used_bytes;  /* highest used_bytes so far */
	size_t alloc_count;      /* successful allocations (realloc counts when it moves) */
	size_t free_count;       /* blocks given back */
	size_t failed_count;     /* allocations that returned NULL */
};

/* What an allocator implementation provides. Every pointer must be non-NULL except realloc
 * (NULL: ukalloc moves blocks itself with malloc + memcpy + free) and name. */
struct uk_alloc_ops {
	const char *name;
	void *(*malloc)(size_t size);
	/* align: a power of two */
	void *(*memalign)(size_t align, size_t size);
	void *(*realloc)(void *block, size_t size); /* block != NULL, size != 0 */
	void (*free)(void *block);                  /* block != NULL */
	size_t (*usable_size)(const void *block);   /* block != NULL */
	void (*stats)(struct uk_alloc_stats *out);
};

/* Installs the allocator (the last registration wins). ops must stay valid forever. */
void uk_alloc_register(const struct uk_alloc_ops *ops);

/* Before any registration these return NULL (uk_free ignores its argument). */
void *uk_malloc(size_t size);
void *uk_calloc(size_t count, size_t size);      /* NULL if count * size overflows */
void *uk_realloc(void *block, size_t size);      /* (NULL, n) = malloc; (p, 0) = free, NULL */
void *uk_memalign(size_t align, size_t size);    /* NULL unless align is a power of two */
void uk_free(void *block);                       /* NULL is ignored */
size_t uk_malloc_usable_size(const void *block); /* 0 for NULL */

/* Fills *out (all zero when no allocator is registered). */
void uk_alloc_stats(struct uk_alloc_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* UK_ALLOC_H */

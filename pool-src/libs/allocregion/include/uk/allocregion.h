/* allocregion: a region (bump) allocator. Blocks are carved from the free RAM regions one after
 * the other and never reused, except that freeing the most recent block gives it back. It costs
 * a 16-byte header per block and almost no code: for short-lived images that allocate during
 * start-up and then run. It initializes itself from the boot library's init table (prio 01) and
 * registers with ukalloc. Choose it with `ukl link --lib allocregion` (or `libraries =
 * ["allocregion"]` in uk.toml) instead of the default allocator, allocbuddy. */
#ifndef UK_ALLOCREGION_H
#define UK_ALLOCREGION_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Takes every free region of ukplat_memregion_get() and registers with ukalloc.
 * Idempotent. Returns 0, or -12 (ENOMEM) when no usable region was found. */
int uk_allocregion_init(void);

/* Hands [base, base + len) to the allocator and registers it with ukalloc. Returns 0, -12
 * (ENOMEM) when the region is too small, or -28 (ENOSPC) when too many regions were added. */
int uk_allocregion_add_region(void *base, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* UK_ALLOCREGION_H */

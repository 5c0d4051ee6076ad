/* allocbuddy: a binary buddy allocator. It initializes itself from the boot library's init table
 * (prio 01): it takes every free RAM region the platform reports and registers with ukalloc. */
#ifndef UK_ALLOCBUDDY_H
#define UK_ALLOCBUDDY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Takes every free region of ukplat_memregion_get() and registers with ukalloc.
 * Idempotent. Returns 0, or -12 (ENOMEM) when no usable region was found. */
int uk_allocbuddy_init(void);

/* Hands [base, base + len) to the allocator and registers it with ukalloc (for platforms or
 * tests without memory regions). The allocator keeps 1/33 of the region for its block table.
 * Returns 0, -12 (ENOMEM) when the region is too small, or -28 (ENOSPC) when too many regions
 * were added. */
int uk_allocbuddy_add_region(void *base, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* UK_ALLOCBUDDY_H */

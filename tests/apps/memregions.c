/* memregions: prints the platform's memory-region table (the flags and length of each region)
 * and, for a module region (UKPLAT_MEMR_MODULE, e.g. an initrd), its first six bytes, which
 * are "070701" for a newc cpio archive. Used by the linuxu initrd boot tests. */
#include <stdint.h>
#include <stdio.h>

struct ukplat_memregion {
	uint64_t base;
	uint64_t len;
	uint32_t flags;
	uint32_t pad;
};

#define UKPLAT_MEMR_MODULE 0x8

int ukplat_memregion_count(void);
int ukplat_memregion_get(int i, struct ukplat_memregion *r);

int main(void)
{
	int count = ukplat_memregion_count();
	int modules = 0;

	printf("regions: %d\n", count);
	for (int i = 0; i < count; i++) {
		struct ukplat_memregion region;

		if (ukplat_memregion_get(i, &region) != 0) {
			printf("region %d: cannot get it\n", i);
			return 1;
		}
		printf("region %d: flags 0x%x len %llu", i, (unsigned)region.flags,
		       (unsigned long long)region.len);
		if ((region.flags & UKPLAT_MEMR_MODULE) && region.len >= 6) {
			const char *bytes = (const char *)(uintptr_t)region.base;

			printf(" starts \"%.6s\"", bytes);
			modules++;
		}
		printf("\n");
	}
	printf("modules: %d\n", modules);
	return 0;
}

/* platform_info: checks the platform's clocks and memory regions from the application's side,
 * prints what it found and ends with status 3 (so that a runner's status path is exercised with
 * a non-zero value). Used by the xen boot tests. */
#include <stdint.h>
#include <stdio.h>

uint64_t ukplat_monotonic_ns(void);
uint64_t ukplat_wall_ns(void);
uint64_t ukplat_tsc_hz(void);
int ukplat_memregion_count(void);

/* 2024-01-01T00:00:00Z */
#define YEAR_2024_SECONDS 1704067200ull

int main(int argc, char *argv[])
{
	uint64_t start = ukplat_monotonic_ns();
	volatile unsigned long spin = 0;

	while (spin < 20000000ul)
		spin++;
	uint64_t end = ukplat_monotonic_ns();
	uint64_t wall_seconds = ukplat_wall_ns() / 1000000000ull;

	printf("monotonic clock advances: %s (%llu us)\n", end > start ? "yes" : "no",
	       (unsigned long long)((end - start) / 1000));
	printf("wall clock after 2024: %s (%llu)\n", wall_seconds > YEAR_2024_SECONDS ? "yes" : "no",
	       (unsigned long long)wall_seconds);
	printf("tsc: %llu MHz\n", (unsigned long long)(ukplat_tsc_hz() / 1000000));
	printf("memory regions: %d\n", ukplat_memregion_count());
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = \"%s\"\n", i, argv[i]);
	printf("exiting with 3\n");
	return 3;
}

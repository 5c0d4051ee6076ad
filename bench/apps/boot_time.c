/* Benchmark application: reports the guest time from the first instruction of the image to
 * main, measured with the TSC by the platform (ukplat_boot_tsc is read at entry). */
#include <stdio.h>
#include <stdint.h>

uint64_t ukarch_tsc(void);
uint64_t ukplat_boot_tsc(void);
uint64_t ukplat_tsc_hz(void);

int main(void)
{
	uint64_t now = ukarch_tsc();
	uint64_t hz = ukplat_tsc_hz();
	uint64_t ticks = now - ukplat_boot_tsc();
	printf("entry-to-main-us %llu\n", (unsigned long long)(ticks * 1000000ULL / (hz ? hz : 1)));
	return 0;
}

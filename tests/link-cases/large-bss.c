// A 64 MiB .bss array and a 1 MiB zero-initialized array: zero-fill memory takes no file
// space (the output stays small) and is really zero at start-up.
// max-file-size: 1000000
// exit: 0
// stdout: large bss: zero=1 written=64
#include <stdio.h>
static char big[64 << 20];
int zero_initialized[1 << 18] = {0};
int main(void)
{
	int zero = 1;
	for (size_t i = 0; i < sizeof big; i += 4096)
		zero &= big[i] == 0;
	for (size_t i = 0; i < 1 << 18; i += 1024)
		zero &= zero_initialized[i] == 0;
	big[sizeof big - 1] = 64;
	printf("large bss: zero=%d written=%d\n", zero, big[sizeof big - 1]);
	return 0;
}

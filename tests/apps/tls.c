/* Boot test: thread-local variables (initialized in .tdata, zeroed in .tbss) read and write
 * through %fs, and their addresses differ from the template's. */
#include <stdio.h>
#include <stdint.h>

static __thread uint64_t counter = 41;
static __thread char name[16] = "tls-ok";
static __thread uint64_t zeroed[64];
__attribute__((aligned(64))) static __thread uint32_t aligned = 7;

__attribute__((noinline)) static uint64_t bump(void)
{
	return ++counter;
}

int main(void)
{
	uint64_t sum = 0;
	for (int i = 0; i < 64; i++)
		sum += zeroed[i];
	zeroed[5] = 5;
	printf("counter %llu, name %s, zeroed sum %llu, aligned %u at offset %u\n",
	       (unsigned long long)bump(), name, (unsigned long long)sum, aligned,
	       (unsigned)((uintptr_t)&aligned % 64));
	return counter == 42 && zeroed[5] == 5 ? 0 : 1;
}

/* Boot test: a page fault in the application must give a crash report (vector, registers,
 * faulting address, backtrace) and a non-zero exit status. */
#include <stdio.h>

/* Beyond the identity map (which covers RAM and the first 4 GiB). */
static volatile unsigned long *target = (unsigned long *)0x40dead0000UL;

__attribute__((noinline)) static unsigned long poke(void)
{
	return *target;
}

int main(void)
{
	printf("about to fault\n");
	unsigned long v = poke();
	printf("not reached %lu\n", v);
	return 0;
}

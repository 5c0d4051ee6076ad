/* Boot test: unbounded recursion must give a crash report (not a silent death), which needs the
 * handler to run on a stack of its own. */
#include <stdio.h>

__attribute__((noinline)) static unsigned long recurse(volatile unsigned long depth)
{
	volatile char pad[256];
	pad[0] = (char)depth;
	return recurse(depth + 1) + pad[0];
}

int main(void)
{
	printf("about to overflow the stack\n");
	printf("not reached %lu\n", recurse(0));
	return 0;
}

/* Boot test: an application that stops its CPU with `hlt` (interrupts off) outside the idle
 * loop. Nothing in the guest can report it; `ukl run` must, through QEMU's monitor, with the
 * function, long before the timeout. */
#include <stdio.h>

__attribute__((noinline)) static void stop_here(void)
{
	__asm__ volatile("cli; hlt" ::: "memory");
}

int main(void)
{
	printf("stopping the CPU\n");
	stop_here();
	printf("not reached\n");
	return 0;
}

/* musl's a_crash() on ukl: a stack buffer overflow caught by the stack protector. musl's
 * __stack_chk_fail is a_crash(), a bare `hlt`; in ring 0 with interrupts off the vCPU stops,
 * and `ukl run` must report it (through QEMU's monitor) instead of hanging. Build with
 * -fstack-protector-all. */
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) static void copy(const char *text, size_t len)
{
	char buffer[8];
	memcpy(buffer, text, len);
	__asm__ volatile("" : : "r"(buffer) : "memory");
}

int main(int argc, char **argv)
{
	static const char text[64] = "this text is far longer than the buffer it is copied into";
	(void)argv;
	printf("overflowing a stack buffer\n");
	fflush(stdout);
	copy(text, argc > 1 ? sizeof text : 4);
	printf("not reached when the overflow happens\n");
	return 0;
}

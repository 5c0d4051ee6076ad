/* musl's a_crash() on ukl: a stack buffer overflow caught by the stack protector, in the main
 * thread (`overflow`) or in a second thread (`thread`). musl's __stack_chk_fail is a_crash(), a
 * bare `hlt`; in ring 0 that would stop the CPU silently, or, in a threaded program (timer
 * interrupts on), be resumed by the next interrupt. ukl links it as `int3`, so the guest must
 * print a crash report and end with status 127. Build with -fstack-protector-all. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char text[64] = "this text is far longer than the buffer it is copied into";

__attribute__((noinline)) static void copy(const char *from, size_t len)
{
	char buffer[8];
	memcpy(buffer, from, len);
	__asm__ volatile("" : : "r"(buffer) : "memory");
}

static void *overflow_in_thread(void *arg)
{
	(void)arg;
	printf("overflowing a stack buffer in a thread\n");
	fflush(stdout);
	copy(text, sizeof text);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "thread") == 0) {
		pthread_t thread;
		pthread_create(&thread, NULL, overflow_in_thread, NULL);
		pthread_join(thread, NULL);
		printf("not reached when the overflow happens\n");
		return 0;
	}
	printf("overflowing a stack buffer\n");
	fflush(stdout);
	copy(text, argc > 1 ? sizeof text : 4);
	printf("not reached when the overflow happens\n");
	return 0;
}

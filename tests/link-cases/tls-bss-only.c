// A program whose only thread-local data is zero (.tbss, no .tdata): PT_TLS has a file size of
// 0 and a memory size of 8 KiB; the .tbss addresses overlap what follows, which the program's
// ordinary .bss must not be disturbed by. Two threads write their own copies.
// compile: musl-gcc -O2 -ftls-model=local-exec
// exit: 0
// stdout: main: tls_sum=0 bss_sum=0
// stdout: thread: tls_sum=0 after=2048
// stdout: main: tls_sum=1024 bss_sum=0
#include <pthread.h>
#include <stdio.h>

static __thread int per_thread[2048];
static int ordinary[2048];

static long sum(const int *values)
{
	long total = 0;
	for (int i = 0; i < 2048; i++)
		total += values[i];
	return total;
}

static void *thread_main(void *argument)
{
	(void)argument;
	long before = sum(per_thread);
	for (int i = 0; i < 2048; i++)
		per_thread[i] = 1;
	printf("thread: tls_sum=%ld after=%ld\n", before, sum(per_thread));
	return 0;
}

int main(void)
{
	pthread_t thread;
	printf("main: tls_sum=%ld bss_sum=%ld\n", sum(per_thread), sum(ordinary));
	for (int i = 0; i < 1024; i++)
		per_thread[i] = 1;
	pthread_create(&thread, 0, thread_main, 0);
	pthread_join(thread, 0);
	printf("main: tls_sum=%ld bss_sum=%ld\n", sum(per_thread), sum(ordinary));
	return 0;
}

/* The body of the TLS model cases: initialized (.tdata) and zero (.tbss) thread-local
   variables, one of them 64-byte aligned, read and written by the main thread and by a second
   thread, which must see the initial values again. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

__thread int initialized = 42;
__thread long zeroed;
__thread char text[32] = "thread-local text";
__thread double aligned_zero __attribute__((aligned(64)));
static __thread int static_counter = 7;
static __thread long static_zero;

__attribute__((noinline)) static void report(const char *who)
{
	printf("%s: initialized=%d zeroed=%ld text=%s aligned=%d zero=%g counter=%d static_zero=%ld\n",
	       who, initialized, zeroed, text, (int)((uintptr_t)&aligned_zero % 64 == 0),
	       aligned_zero, static_counter, static_zero);
}

static void *thread_main(void *argument)
{
	(void)argument;
	report("thread");
	initialized = 1;
	zeroed = 2;
	static_counter++;
	static_zero--;
	report("thread");
	return 0;
}

int main(void)
{
	pthread_t thread;

	report("main");
	initialized++;
	zeroed = 5;
	static_counter += 10;
	static_zero = 9;
	text[0] = 'T';
	aligned_zero = 0.5;
	if (pthread_create(&thread, 0, thread_main, 0) != 0)
		return 1;
	pthread_join(thread, 0);
	report("main");
	return 0;
}

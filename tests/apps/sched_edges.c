/* Boot test of scheduler edge cases, chosen by argv[1]:
 *   irq-wake   a device interrupt (COM1's "transmitter empty", GSI 4) wakes a thread through a
 *              semaphore posted by the handler
 *   deadlock   every thread waits forever with nothing to wake them: a crash report
 *   overflow   a thread overruns its 8 KiB stack into the guard page below it
 *   main-exit  main calls uk_thread_exit; the image ends with 0 when the last thread ends */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <uk/plat.h>
#include <uk/sched.h>

#define COM1 0x3f8

static void outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static uint8_t inb(uint16_t port)
{
	uint8_t value;
	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static struct uk_semaphore irq_seen;
static volatile int handled;

static int on_com1(void *arg)
{
	(void)arg;
	uint8_t why = inb(COM1 + 2); /* reading IIR acknowledges "transmitter empty" */
	outb(COM1 + 1, 0);           /* and no more of them */
	handled++;
	uk_semaphore_up(&irq_seen);
	return (why & 1) == 0;
}

static int irq_wake(void)
{
	uk_semaphore_init(&irq_seen, 0);
	if (ukplat_irq_register(4, on_com1, NULL) != 0) {
		printf("register failed\n");
		return 1;
	}
	printf("device handlers: %u\n", ukplat_irq_handlers());
	outb(COM1 + 1, 0x02); /* interrupt when the transmitter is empty: at once */
	uk_semaphore_down(&irq_seen);
	printf("woken by the COM1 interrupt (%d handled, %llu delivered)\n", handled,
	       (unsigned long long)ukplat_irq_count(4));
	ukplat_irq_mask(4);
	return 0;
}

static struct uk_semaphore never;

static void *wait_forever(void *arg)
{
	(void)arg;
	uk_semaphore_down(&never);
	return NULL;
}

static void *overflow(void *arg)
{
	volatile char big[10 * 1024];
	(void)arg;
	memset((char *)big, 0x5a, sizeof(big));
	uk_thread_yield();
	return (void *)(long)big[0];
}

static void *last_one(void *arg)
{
	(void)arg;
	uk_thread_sleep_ns(20000000);
	printf("last thread ends\n");
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "irq-wake"))
		return irq_wake();
	if (!strcmp(mode, "deadlock")) {
		uk_semaphore_init(&never, 0);
		uk_thread_create("waiter", wait_forever, NULL, 0);
		printf("main waits forever\n");
		uk_semaphore_down(&never);
		return 0;
	}
	if (!strcmp(mode, "overflow")) {
		struct uk_thread *t = uk_thread_create("small", overflow, NULL, 8192);
		uk_thread_join(t, NULL);
		return 0;
	}
	if (!strcmp(mode, "main-exit")) {
		uk_thread_detach(uk_thread_create("last", last_one, NULL, 0));
		printf("main exits\n");
		uk_thread_exit(NULL);
	}
	printf("unknown mode\n");
	return 2;
}

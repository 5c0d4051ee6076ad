/* Boot test: the timer interrupt fires during a busy loop (its handler re-arms it every
 * 10 ms), and ukplat_halt_irq_until idles until a deadline. */
#include <stdint.h>
#include <stdio.h>
#include <uk/arch.h>
#include <uk/plat.h>

#define PERIOD_NS 10000000ull

static volatile uint64_t ticks;

static int on_timer(void *arg)
{
	(void)arg;
	ticks++;
	ukplat_timer_set(ukplat_monotonic_ns() + PERIOD_NS);
	return 1;
}

int main(void)
{
	printf("apic: %s\n", ukplat_apic_mode());
	printf("interrupts enabled: %d\n", ukarch_irq_enabled());
	if (ukplat_irq_register(UKPLAT_IRQ_TIMER, on_timer, NULL) != 0) {
		printf("register failed\n");
		return 1;
	}
	printf("bad irq: %d\n", ukplat_irq_register(999, on_timer, NULL));
	ukplat_timer_set(ukplat_monotonic_ns() + PERIOD_NS);
	uint64_t start = ukplat_monotonic_ns();
	while (ukplat_monotonic_ns() - start < 300000000ull)
		;
	ukplat_timer_set(0);
	uint64_t busy_ticks = ticks;
	printf("ticks during a 300 ms busy loop: %s (%llu)\n", busy_ticks >= 3 ? "several" : "too few",
	       (unsigned long long)busy_ticks);

	/* Idle: one halt per interrupt, until the deadline. */
	ukarch_irq_disable();
	uint64_t deadline = ukplat_monotonic_ns() + 200000000ull;
	unsigned halts = 0;
	while (ukplat_monotonic_ns() < deadline) {
		ukplat_halt_irq_until(deadline);
		halts++;
	}
	ukarch_irq_enable();
	printf("halted until the deadline: %s (%u halts)\n", halts <= 40 ? "yes" : "spinning", halts);
	printf("timer count matches: %s\n", ukplat_irq_count(UKPLAT_IRQ_TIMER) >= ticks ? "yes" : "no");
	return 0;
}

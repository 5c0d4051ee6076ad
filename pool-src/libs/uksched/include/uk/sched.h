/*
 * uksched: the scheduler API. Threads, wait queues, mutexes and semaphores for a single CPU;
 * a scheduler implementation (schedcoop by default: the `scheduler` capability) registers
 * with uk_sched_register and decides which runnable thread runs next.
 *
 * Errors are negative errno values. Deadlines are absolute monotonic nanoseconds
 * (ukplat_monotonic_ns, clock_gettime(CLOCK_MONOTONIC)); UK_WAIT_FOREVER waits without one.
 */
#ifndef UK_SCHED_H
#define UK_SCHED_H

#include <stddef.h>
#include <stdint.h>
#include <uk/arch.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UK_WAIT_FOREVER UINT64_MAX
/* Stack size used when uk_thread_create is given 0. */
#define UK_THREAD_STACK_DEFAULT (64 * 1024)

struct uk_thread;

/* Threads. The boot thread ("main") runs main(); when main returns, the image ends with its
 * status even if other threads remain. uk_thread_exit in main lets the others run on; the image
 * ends with status 0 when the last thread exits. */

/* Creates a runnable thread that calls fn(arg) on its own stack (stack_size bytes, 0 for the
 * default, at least 4 KiB) from uk_malloc, above an unmapped 4 KiB guard page (an overflow
 * faults with a crash report) and a canary checked at every switch; it runs when the creator
 * blocks or yields. Returns
 * NULL when memory or a scheduler is missing. The thread ends by returning from fn or calling
 * uk_thread_exit; its memory is freed by uk_thread_join, or at exit if it is detached. */
struct uk_thread *uk_thread_create(const char *name, void *(*fn)(void *arg), void *arg,
				   size_t stack_size);
/* Waits for t to end and frees it; *retval (if not NULL) gets its return value. 0, -35
 * (EDEADLK: t is the caller) or -22 (EINVAL: detached, already joined, or the boot thread). */
int uk_thread_join(struct uk_thread *t, void **retval);
/* Frees t when it ends instead of waiting for a join. 0 or -22 (EINVAL). */
int uk_thread_detach(struct uk_thread *t);
/* Lets every other runnable thread run once before the caller continues. */
void uk_thread_yield(void);
/* Blocks for at least ns nanoseconds of monotonic time (the CPU halts if nothing else runs). */
void uk_thread_sleep_ns(uint64_t ns);
void uk_thread_sleep_until(uint64_t deadline_ns);
void uk_thread_exit(void *retval) __attribute__((noreturn));
struct uk_thread *uk_thread_current(void);
const char *uk_thread_name(const struct uk_thread *t);

/* Wait queues: threads wait until woken or a deadline. Embeddable; zero-initialised (or
 * UK_WAITQ_INIT) is empty. Waking is allowed from interrupt handlers. */
struct uk_waiter;
struct uk_waitq {
	struct uk_waiter *first;
	struct uk_waiter *last;
};
#define UK_WAITQ_INIT { NULL, NULL }
void uk_waitq_init(struct uk_waitq *wq);
/* Blocks until woken (0) or until the deadline (-110, ETIMEDOUT; at once if it has passed). */
int uk_waitq_wait(struct uk_waitq *wq, uint64_t deadline_ns);
/* The same, called and returning with interrupts disabled, so that a condition checked before
 * cannot be changed by an interrupt handler before the thread is queued. */
int uk_waitq_wait_locked(struct uk_waitq *wq, uint64_t deadline_ns);
/* Wake the first waiter / every waiter; return how many were woken. */
int uk_waitq_wake_one(struct uk_waitq *wq);
int uk_waitq_wake_all(struct uk_waitq *wq);
/* Waits until `cond` holds (checked with interrupts disabled): 0, or -110 at the deadline. */
#define uk_waitq_wait_event(wq, cond, deadline_ns)                                \
	({                                                                          \
		int __uk_ret = 0;                                                   \
		unsigned long __uk_flags = ukarch_irq_save();                       \
		while (!(cond)) {                                                   \
			__uk_ret = uk_waitq_wait_locked((wq), (deadline_ns));       \
			if (__uk_ret)                                               \
				break;                                              \
		}                                                                   \
		ukarch_irq_restore(__uk_flags);                                     \
		__uk_ret;                                                           \
	})

/* Mutexes: FIFO hand-over to waiters; not for interrupt handlers. */
#define UK_MUTEX_RECURSIVE 0x1
struct uk_mutex {
	struct uk_thread *owner;
	unsigned depth;
	unsigned flags;
	struct uk_waitq waiters;
};
#define UK_MUTEX_INIT { NULL, 0, 0, UK_WAITQ_INIT }
void uk_mutex_init(struct uk_mutex *m, unsigned flags);
/* 0, or -35 (EDEADLK) when the caller already holds a non-recursive mutex. */
int uk_mutex_lock(struct uk_mutex *m);
/* 0 or -16 (EBUSY). */
int uk_mutex_trylock(struct uk_mutex *m);
/* 0 or -1 (EPERM: the caller does not hold it). */
int uk_mutex_unlock(struct uk_mutex *m);
int uk_mutex_is_locked(const struct uk_mutex *m);

/* Counting semaphores; uk_semaphore_up is allowed from interrupt handlers. */
struct uk_semaphore {
	long count;
	struct uk_waitq waiters;
};
void uk_semaphore_init(struct uk_semaphore *s, long count);
void uk_semaphore_down(struct uk_semaphore *s);
/* 0, or -110 (ETIMEDOUT) at the deadline. */
int uk_semaphore_down_until(struct uk_semaphore *s, uint64_t deadline_ns);
/* 0, or -11 (EAGAIN) when the count is 0. */
int uk_semaphore_trydown(struct uk_semaphore *s);
void uk_semaphore_up(struct uk_semaphore *s);
long uk_semaphore_value(const struct uk_semaphore *s);

/* Counters. */
struct uk_sched_stats {
	uint64_t switches;    /* context switches */
	uint64_t idle_halts;  /* times the idle loop halted the CPU */
	uint64_t idle_ns;     /* monotonic time spent halted */
	uint32_t threads;     /* live threads, the boot thread included */
	uint32_t _pad;
};
void uk_sched_stats(struct uk_sched_stats *out);

/*
 * For scheduler implementations. Every struct uk_thread starts with this part, which the
 * implementation owns (links) or reads (state, wakeup_ns). uksched calls the operations with
 * interrupts disabled.
 */
#define UK_THREAD_RUNNABLE 0
#define UK_THREAD_BLOCKED  1
#define UK_THREAD_EXITED   2
struct uk_thread_sched {
	struct uk_thread *next;  /* the implementation's queue links */
	struct uk_thread *prev;
	uint64_t wakeup_ns;      /* BLOCKED: make it RUNNABLE at this deadline (or UK_WAIT_FOREVER) */
	int state;               /* set by uksched before it calls the operations */
	int queued;              /* the implementation's: which of its queues holds the thread */
};
struct uk_sched_ops {
	const char *name;
	/* t became RUNNABLE (created, woken; it may sit in the implementation's timeout queue, and
	 * may already be queued): queue it. May run in an interrupt handler. */
	void (*ready)(struct uk_thread *t);
	/* The current thread gives up the CPU: RUNNABLE (a yield: queue it again), BLOCKED (with
	 * wakeup_ns) or EXITED. Choose the next runnable thread (idling until there is one) and run
	 * it with uk_sched_switch; return when the caller runs again. */
	void (*schedule)(void);
	/* Fill idle_halts and idle_ns. */
	void (*stats)(struct uk_sched_stats *out);
};
/* Installs the implementation (the last registration wins); ops stays valid forever. */
void uk_sched_register(const struct uk_sched_ops *ops);
/* Switches from the current thread to next (interrupts disabled): checks the stack canary of
 * the current thread, saves its errno, makes next current. */
void uk_sched_switch(struct uk_thread *next);
/* Live threads (created or boot, not exited). */
unsigned uk_sched_thread_count(void);

#ifdef __cplusplus
}
#endif

#endif /* UK_SCHED_H */

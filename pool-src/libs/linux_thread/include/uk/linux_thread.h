/* ukl linux_thread: Linux threads (clone, futex, exit, sleeps) for linux_syscall over uksched. */
#ifndef UK_LINUX_THREAD_H
#define UK_LINUX_THREAD_H

/* Registers the thread calls with linux_syscall; runs from the init table at priority 03.
 * Idempotent. */
int uk_linux_thread_init(void);

/* Threads started with clone(2) that have not exited yet. */
int uk_linux_thread_count(void);

#endif

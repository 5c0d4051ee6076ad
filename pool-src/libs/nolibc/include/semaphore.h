/* nolibc: semaphore.h, from the pthread library (uksched semaphores). Unnamed semaphores only;
 * pshared is ignored (one address space). Errors: -1 and errno. */
#ifndef _NOLIBC_SEMAPHORE_H
#define _NOLIBC_SEMAPHORE_H

#include <time.h>

/* Layout of struct uk_semaphore. */
typedef struct {
	long __count;
	void *__first;
	void *__last;
} sem_t;

int sem_init(sem_t *sem, int pshared, unsigned int value);
int sem_destroy(sem_t *sem);
int sem_wait(sem_t *sem);
int sem_trywait(sem_t *sem);                                   /* EAGAIN */
int sem_timedwait(sem_t *sem, const struct timespec *abstime); /* CLOCK_REALTIME; ETIMEDOUT */
int sem_post(sem_t *sem);
int sem_getvalue(sem_t *sem, int *value);

#endif

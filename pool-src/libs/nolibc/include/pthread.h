/*
 * nolibc: pthread.h, from the pthread library, which maps these names onto uksched (a
 * cooperative scheduler by default: a thread runs until it blocks, yields, sleeps or exits).
 * Functions return 0 or an errno value. Mutexes of every type report relocking by their owner
 * with EDEADLK (PTHREAD_MUTEX_RECURSIVE counts instead). Not provided: cancellation, thread
 * keys, process-shared objects, scheduling parameters.
 */
#ifndef _NOLIBC_PTHREAD_H
#define _NOLIBC_PTHREAD_H

#include <stddef.h>
#include <time.h>
#include <sched.h>

typedef struct uk_thread *pthread_t;

typedef struct {
	size_t __stacksize;
	int __detachstate;
} pthread_attr_t;

#define PTHREAD_CREATE_JOINABLE 0
#define PTHREAD_CREATE_DETACHED 1

/* Layout of struct uk_mutex. */
typedef struct {
	void *__owner;
	unsigned __depth;
	unsigned __flags;
	void *__first;
	void *__last;
} pthread_mutex_t;

typedef struct {
	int __type;
} pthread_mutexattr_t;

#define PTHREAD_MUTEX_NORMAL 0
#define PTHREAD_MUTEX_RECURSIVE 1
#define PTHREAD_MUTEX_ERRORCHECK 2
#define PTHREAD_MUTEX_DEFAULT PTHREAD_MUTEX_NORMAL
#define PTHREAD_MUTEX_INITIALIZER { 0, 0, 0, 0, 0 }
#define PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP { 0, 0, 1, 0, 0 }

/* Layout of struct uk_waitq. */
typedef struct {
	void *__first;
	void *__last;
} pthread_cond_t;

typedef struct {
	int __unused;
} pthread_condattr_t;

#define PTHREAD_COND_INITIALIZER { 0, 0 }

typedef int pthread_once_t;
#define PTHREAD_ONCE_INIT 0

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
		   void *arg);
int pthread_join(pthread_t thread, void **retval);
int pthread_detach(pthread_t thread);
void pthread_exit(void *retval) __attribute__((noreturn));
pthread_t pthread_self(void);
int pthread_equal(pthread_t a, pthread_t b);
int pthread_once(pthread_once_t *once, void (*init)(void));

int pthread_attr_init(pthread_attr_t *attr);
int pthread_attr_destroy(pthread_attr_t *attr);
int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size);
int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size);
int pthread_attr_setdetachstate(pthread_attr_t *attr, int state);
int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state);

int pthread_mutex_init(pthread_mutex_t *mutex, const pthread_mutexattr_t *attr);
int pthread_mutex_destroy(pthread_mutex_t *mutex);
int pthread_mutex_lock(pthread_mutex_t *mutex);
int pthread_mutex_trylock(pthread_mutex_t *mutex);
int pthread_mutex_unlock(pthread_mutex_t *mutex);
int pthread_mutexattr_init(pthread_mutexattr_t *attr);
int pthread_mutexattr_destroy(pthread_mutexattr_t *attr);
int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type);
int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type);

int pthread_cond_init(pthread_cond_t *cond, const pthread_condattr_t *attr);
int pthread_cond_destroy(pthread_cond_t *cond);
int pthread_cond_wait(pthread_cond_t *cond, pthread_mutex_t *mutex);
/* abstime is CLOCK_REALTIME; ETIMEDOUT when it passes. */
int pthread_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *mutex,
			   const struct timespec *abstime);
int pthread_cond_signal(pthread_cond_t *cond);
int pthread_cond_broadcast(pthread_cond_t *cond);

#endif

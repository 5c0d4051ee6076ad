/* pthread: POSIX threads, mutexes, condition variables, semaphores and sleeps over uksched. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <uk/arch.h>
#include <uk/sched.h>

#define NANOS_PER_SECOND 1000000000ull

uint64_t ukplat_monotonic_ns(void);
uint64_t ukplat_wall_ns(void);

_Static_assert(sizeof(pthread_mutex_t) == sizeof(struct uk_mutex), "pthread_mutex_t layout");
_Static_assert(sizeof(pthread_cond_t) == sizeof(struct uk_waitq), "pthread_cond_t layout");
_Static_assert(sizeof(sem_t) == sizeof(struct uk_semaphore), "sem_t layout");

#define MUTEX(m) ((struct uk_mutex *)(m))
#define WAITQ(c) ((struct uk_waitq *)(c))
#define SEMAPHORE(s) ((struct uk_semaphore *)(s))

/* A CLOCK_REALTIME time as a monotonic deadline. */
static uint64_t deadline_of(const struct timespec *abstime)
{
	uint64_t wall = ukplat_wall_ns();
	uint64_t now = ukplat_monotonic_ns();
	uint64_t target;

	if (abstime->tv_sec < 0)
		return now;
	target = (uint64_t)abstime->tv_sec * NANOS_PER_SECOND + (uint64_t)abstime->tv_nsec;
	return target <= wall ? now : now + (target - wall);
}

static int valid_timespec(const struct timespec *ts)
{
	return ts && ts->tv_nsec >= 0 && ts->tv_nsec < (long)NANOS_PER_SECOND;
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
		   void *arg)
{
	struct uk_thread *t;

	if (!thread || !start)
		return EINVAL;
	t = uk_thread_create("pthread", start, arg, attr ? attr->__stacksize : 0);
	if (!t)
		return EAGAIN;
	if (attr && attr->__detachstate == PTHREAD_CREATE_DETACHED)
		uk_thread_detach(t);
	*thread = t;
	return 0;
}

int pthread_join(pthread_t thread, void **retval)
{
	return -uk_thread_join(thread, retval);
}

int pthread_detach(pthread_t thread)
{
	return -uk_thread_detach(thread);
}

void pthread_exit(void *retval)
{
	uk_thread_exit(retval);
}

pthread_t pthread_self(void)
{
	return uk_thread_current();
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

/* 0: not run, 1: running (other callers wait), 2: done. */
int pthread_once(pthread_once_t *once, void (*init)(void))
{
	if (*once == 0) {
		*once = 1;
		init();
		*once = 2;
	}
	while (*once != 2)
		uk_thread_yield();
	return 0;
}

int sched_yield(void)
{
	uk_thread_yield();
	return 0;
}

int pthread_attr_init(pthread_attr_t *attr)
{
	attr->__stacksize = UK_THREAD_STACK_DEFAULT;
	attr->__detachstate = PTHREAD_CREATE_JOINABLE;
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
	if (size < 4096)
		return EINVAL;
	attr->__stacksize = size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size)
{
	*size = attr->__stacksize;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *attr, int state)
{
	if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
		return EINVAL;
	attr->__detachstate = state;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state)
{
	*state = attr->__detachstate;
	return 0;
}

int pthread_mutex_init(pthread_mutex_t *mutex, const pthread_mutexattr_t *attr)
{
	int recursive = attr && attr->__type == PTHREAD_MUTEX_RECURSIVE;

	uk_mutex_init(MUTEX(mutex), recursive ? UK_MUTEX_RECURSIVE : 0);
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *mutex)
{
	return uk_mutex_is_locked(MUTEX(mutex)) ? EBUSY : 0;
}

int pthread_mutex_lock(pthread_mutex_t *mutex)
{
	return -uk_mutex_lock(MUTEX(mutex));
}

int pthread_mutex_trylock(pthread_mutex_t *mutex)
{
	return -uk_mutex_trylock(MUTEX(mutex));
}

int pthread_mutex_unlock(pthread_mutex_t *mutex)
{
	return -uk_mutex_unlock(MUTEX(mutex));
}

int pthread_mutexattr_init(pthread_mutexattr_t *attr)
{
	attr->__type = PTHREAD_MUTEX_DEFAULT;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type)
{
	if (type < PTHREAD_MUTEX_NORMAL || type > PTHREAD_MUTEX_ERRORCHECK)
		return EINVAL;
	attr->__type = type;
	return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type)
{
	*type = attr->__type;
	return 0;
}

int pthread_cond_init(pthread_cond_t *cond, const pthread_condattr_t *attr)
{
	(void)attr;
	uk_waitq_init(WAITQ(cond));
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *cond)
{
	return cond->__first ? EBUSY : 0;
}

/* Unlocking and queueing happen with interrupts disabled and without a switch in between, so
 * no signal is lost. */
static int cond_wait(pthread_cond_t *cond, pthread_mutex_t *mutex, uint64_t deadline)
{
	unsigned long flags;
	int status;

	flags = ukarch_irq_save();
	if (uk_mutex_unlock(MUTEX(mutex)) != 0) {
		ukarch_irq_restore(flags);
		return EPERM;
	}
	status = uk_waitq_wait_locked(WAITQ(cond), deadline);
	ukarch_irq_restore(flags);
	uk_mutex_lock(MUTEX(mutex));
	return -status;
}

int pthread_cond_wait(pthread_cond_t *cond, pthread_mutex_t *mutex)
{
	return cond_wait(cond, mutex, UK_WAIT_FOREVER);
}

int pthread_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *mutex,
			   const struct timespec *abstime)
{
	if (!valid_timespec(abstime))
		return EINVAL;
	return cond_wait(cond, mutex, deadline_of(abstime));
}

int pthread_cond_signal(pthread_cond_t *cond)
{
	uk_waitq_wake_one(WAITQ(cond));
	return 0;
}

int pthread_cond_broadcast(pthread_cond_t *cond)
{
	uk_waitq_wake_all(WAITQ(cond));
	return 0;
}

int sem_init(sem_t *sem, int pshared, unsigned int value)
{
	(void)pshared;
	uk_semaphore_init(SEMAPHORE(sem), (long)value);
	return 0;
}

int sem_destroy(sem_t *sem)
{
	(void)sem;
	return 0;
}

int sem_wait(sem_t *sem)
{
	uk_semaphore_down(SEMAPHORE(sem));
	return 0;
}

int sem_trywait(sem_t *sem)
{
	if (uk_semaphore_trydown(SEMAPHORE(sem)) != 0) {
		errno = EAGAIN;
		return -1;
	}
	return 0;
}

int sem_timedwait(sem_t *sem, const struct timespec *abstime)
{
	if (!valid_timespec(abstime)) {
		errno = EINVAL;
		return -1;
	}
	if (uk_semaphore_down_until(SEMAPHORE(sem), deadline_of(abstime)) != 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	return 0;
}

int sem_post(sem_t *sem)
{
	uk_semaphore_up(SEMAPHORE(sem));
	return 0;
}

int sem_getvalue(sem_t *sem, int *value)
{
	*value = (int)uk_semaphore_value(SEMAPHORE(sem));
	return 0;
}

int nanosleep(const struct timespec *request, struct timespec *remaining)
{
	if (!valid_timespec(request) || request->tv_sec < 0) {
		errno = EINVAL;
		return -1;
	}
	uk_thread_sleep_ns((uint64_t)request->tv_sec * NANOS_PER_SECOND +
			   (uint64_t)request->tv_nsec);
	if (remaining) {
		remaining->tv_sec = 0;
		remaining->tv_nsec = 0;
	}
	return 0;
}

int usleep(useconds_t usec)
{
	uk_thread_sleep_ns((uint64_t)usec * 1000);
	return 0;
}

unsigned int sleep(unsigned int seconds)
{
	uk_thread_sleep_ns((uint64_t)seconds * NANOS_PER_SECOND);
	return 0;
}

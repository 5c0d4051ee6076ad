/* nolibc: time.h. CLOCK_MONOTONIC counts from boot (the platform's TSC clock),
 * CLOCK_REALTIME is the wall clock (RTC at boot + monotonic). nanosleep is provided by the
 * pthread library (it needs the scheduler). */
#ifndef _NOLIBC_TIME_H
#define _NOLIBC_TIME_H

#include <stddef.h>

typedef long time_t;
typedef int clockid_t;

struct timespec {
	time_t tv_sec;
	long tv_nsec;
};

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1

int clock_gettime(clockid_t clock, struct timespec *ts);
int clock_getres(clockid_t clock, struct timespec *res);
time_t time(time_t *out);
int nanosleep(const struct timespec *request, struct timespec *remaining);

#endif

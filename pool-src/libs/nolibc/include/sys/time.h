/* nolibc: sys/time.h */
#ifndef _NOLIBC_SYS_TIME_H
#define _NOLIBC_SYS_TIME_H

#include <time.h>

typedef long suseconds_t;

struct timeval {
	time_t tv_sec;
	suseconds_t tv_usec;
};

/* The wall clock; tz must be NULL (ignored). */
int gettimeofday(struct timeval *tv, void *tz);

#endif

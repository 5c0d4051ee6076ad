/* nolibc: clocks (time.h, sys/time.h) over the platform's monotonic and wall clocks. */
#include <errno.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "imports.h"

#define NANOS_PER_SECOND 1000000000ull

static void to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / NANOS_PER_SECOND);
	ts->tv_nsec = (long)(ns % NANOS_PER_SECOND);
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	uint64_t ns;

	switch (clock) {
	case CLOCK_MONOTONIC:
		ns = ukplat_monotonic_ns();
		break;
	case CLOCK_REALTIME:
		ns = ukplat_wall_ns();
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (ts)
		to_timespec(ns, ts);
	return 0;
}

int clock_getres(clockid_t clock, struct timespec *res)
{
	if (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME) {
		errno = EINVAL;
		return -1;
	}
	if (res)
		to_timespec(1, res);
	return 0;
}

time_t time(time_t *out)
{
	time_t now = (time_t)(ukplat_wall_ns() / NANOS_PER_SECOND);

	if (out)
		*out = now;
	return now;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz;
	if (tv) {
		uint64_t ns = ukplat_wall_ns();
		tv->tv_sec = (time_t)(ns / NANOS_PER_SECOND);
		tv->tv_usec = (suseconds_t)(ns % NANOS_PER_SECOND / 1000);
	}
	return 0;
}

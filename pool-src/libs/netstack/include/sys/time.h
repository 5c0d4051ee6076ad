/* netstack: sys/time.h (struct timeval for SO_RCVTIMEO and select) */
#ifndef _NETSTACK_SYS_TIME_H
#define _NETSTACK_SYS_TIME_H

#ifndef _STRUCT_TIMEVAL
#define _STRUCT_TIMEVAL
struct timeval {
	long tv_sec;
	long tv_usec;
};
#endif

#endif

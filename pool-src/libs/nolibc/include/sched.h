/* nolibc: sched.h (sched_yield, from the pthread library). */
#ifndef _NOLIBC_SCHED_H
#define _NOLIBC_SCHED_H

int sched_yield(void);

#endif

/* nolibc: unistd.h (minimal). sleep and usleep come from the pthread library; close (of a
 * socket) from posix_socket. */
#ifndef _NOLIBC_UNISTD_H
#define _NOLIBC_UNISTD_H

#include <stddef.h>
#include <sys/types.h>

typedef unsigned int useconds_t;

unsigned int sleep(unsigned int seconds);
int usleep(useconds_t usec);
int close(int fd);

#endif

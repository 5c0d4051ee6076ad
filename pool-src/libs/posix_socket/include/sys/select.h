/* posix_socket: sys/select.h (sockets only) */
#ifndef _POSIX_SOCKET_SYS_SELECT_H
#define _POSIX_SOCKET_SYS_SELECT_H

#include <sys/time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FD_SETSIZE 1024

typedef struct {
	unsigned long fds_bits[FD_SETSIZE / 64];
} fd_set;

#define FD_ZERO(s) __builtin_memset((s), 0, sizeof(fd_set))
#define FD_SET(fd, s) ((s)->fds_bits[(fd) / 64] |= 1UL << ((fd) % 64))
#define FD_CLR(fd, s) ((s)->fds_bits[(fd) / 64] &= ~(1UL << ((fd) % 64)))
#define FD_ISSET(fd, s) (((s)->fds_bits[(fd) / 64] >> ((fd) % 64)) & 1)

int select(int nfds, fd_set *read, fd_set *write, fd_set *except, struct timeval *timeout);

#ifdef __cplusplus
}
#endif

#endif

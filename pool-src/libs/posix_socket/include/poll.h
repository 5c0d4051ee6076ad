/* posix_socket: poll.h (sockets only) */
#ifndef _POSIX_SOCKET_POLL_H
#define _POSIX_SOCKET_POLL_H

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long nfds_t;

struct pollfd {
	int fd;
	short events;
	short revents;
};

#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020

/* timeout in milliseconds, -1 waits forever. */
int poll(struct pollfd *fds, nfds_t count, int timeout);

#ifdef __cplusplus
}
#endif

#endif

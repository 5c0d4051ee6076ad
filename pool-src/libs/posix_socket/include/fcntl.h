/* posix_socket: fcntl.h (F_GETFL/F_SETFL with O_NONBLOCK, for sockets) */
#ifndef _POSIX_SOCKET_FCNTL_H
#define _POSIX_SOCKET_FCNTL_H

#define F_GETFL 3
#define F_SETFL 4
#define O_RDWR 02
#define O_NONBLOCK 04000

int fcntl(int fd, int command, ...);

#endif

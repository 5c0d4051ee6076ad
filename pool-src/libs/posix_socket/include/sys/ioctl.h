/* posix_socket: sys/ioctl.h (FIONBIO, for sockets) */
#ifndef _POSIX_SOCKET_SYS_IOCTL_H
#define _POSIX_SOCKET_SYS_IOCTL_H

#define FIONBIO 0x5421

int ioctl(int fd, unsigned long request, ...);

#endif

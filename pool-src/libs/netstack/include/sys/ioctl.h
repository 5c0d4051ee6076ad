/* netstack: sys/ioctl.h (FIONBIO, for sockets) */
#ifndef _NETSTACK_SYS_IOCTL_H
#define _NETSTACK_SYS_IOCTL_H

#define FIONBIO 0x5421

int ioctl(int fd, unsigned long request, ...);

#endif

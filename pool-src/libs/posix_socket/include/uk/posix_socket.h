/* posix_socket: the BSD socket names for nolibc programs (declared in sys/socket.h, poll.h,
 * sys/select.h, fcntl.h, sys/ioctl.h and arpa/inet.h), over netstack's uk_netstack_* API.
 *
 * Descriptors: a socket's descriptor is its netstack socket id + 3 (0-2 are the console;
 * close() of 0-2 returns 0). Errors are returned the C way: -1 with errno set. poll() and
 * select() drive netstack with uk_netstack_poll() and read uk_netstack_readiness(), calling
 * uk_idle() between rounds. A musl program does not use this library (linux_syscall serves
 * its socket system calls).
 */
#ifndef UK_POSIX_SOCKET_H
#define UK_POSIX_SOCKET_H

/* The descriptor of netstack socket 0. */
#define UK_POSIX_SOCKET_FIRST_FD 3

#endif

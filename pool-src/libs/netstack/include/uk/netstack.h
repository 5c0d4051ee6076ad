/* netstack: the pool's TCP/IP stack (smoltcp), with a handle-based socket API. The BSD names
 * (socket, bind, poll, ...) for nolibc programs are in the posix_socket library, whose headers
 * are sys/socket.h & co.
 *
 * Configuration on the kernel command line (the words also reach main's argv):
 *   netstack.ip=A.B.C.D/LEN   static address (default 10.0.2.15/24, QEMU user networking)
 *   netstack.gw=A.B.C.D|none  default gateway (default 10.0.2.2)
 *   netstack.ip=dhcp          DHCP (boot waits up to 10 s for a lease)
 *
 * Every function returns >= 0 on success or a negative errno (Linux numbers) and never touches
 * errno. `sock` is a netstack socket id >= 0: an index into netstack's own table, not a file
 * descriptor (a closed id is reused). Addresses are struct sockaddr_in (AF_INET only); an
 * output address is truncated to *len bytes and *len set to 16. The socket calls return
 * -ENETDOWN without a network device.
 *
 * Blocking calls (accept, connect, send, recv) poll the device and the stack until they can
 * proceed, calling uk_idle() (boot) between polls; a non-blocking socket, MSG_DONTWAIT, or a
 * passed SO_RCVTIMEO/SO_SNDTIMEO gives -EAGAIN (connect: -EINPROGRESS, -ETIMEDOUT). The
 * functions are not reentrant.
 */
#ifndef UK_NETSTACK_H
#define UK_NETSTACK_H

#include <stddef.h>
#include <stdint.h>

/* AF_INET only (else -EAFNOSUPPORT); type SOCK_STREAM or SOCK_DGRAM, optionally with
 * SOCK_NONBLOCK (0o4000); SOCK_CLOEXEC is ignored. The new socket id. */
int uk_netstack_socket(int domain, int type, int protocol);
int uk_netstack_bind(int sock, const void *addr, uint32_t len);
/* The backlog is that many listening smoltcp sockets, at most 32. */
int uk_netstack_listen(int sock, int backlog);
/* flags: SOCK_NONBLOCK for the new socket. The new socket id. */
int uk_netstack_accept(int sock, void *addr, uint32_t *len, int flags);
int uk_netstack_connect(int sock, const void *addr, uint32_t len);
/* addr NULL: send on the connected socket. flags: MSG_DONTWAIT. The count sent. */
int64_t uk_netstack_sendto(int sock, const void *buf, size_t len, int flags, const void *addr,
                           uint32_t addr_len);
/* addr NULL: recv. The count received; 0 is an orderly shutdown. */
int64_t uk_netstack_recvfrom(int sock, void *buf, size_t len, int flags, void *addr,
                             uint32_t *addr_len);
/* A TCP connection closes gracefully (FIN) in the background. */
int uk_netstack_close(int sock);
int uk_netstack_shutdown(int sock, int how);
/* SO_REUSEADDR, SO_KEEPALIVE, SO_RCVTIMEO, SO_SNDTIMEO, SO_RCVBUF/SO_SNDBUF, SO_ERROR,
 * TCP_NODELAY. */
int uk_netstack_setsockopt(int sock, int level, int name, const void *value, uint32_t len);
int uk_netstack_getsockopt(int sock, int level, int name, void *value, uint32_t *len);
int uk_netstack_getsockname(int sock, void *addr, uint32_t *len);
int uk_netstack_getpeername(int sock, void *addr, uint32_t *len);
int uk_netstack_set_nonblocking(int sock, int on);
/* 1, 0, or -EBADF. */
int uk_netstack_nonblocking(int sock);
/* The POLLIN (0x1), POLLOUT (0x4), POLLERR (0x8), POLLHUP (0x10) bits that hold for the socket
 * now, without polling the device; -EBADF for a bad id. */
int uk_netstack_readiness(int sock);
/* The bytes a read would get now (a connection's received data, the next datagram's size);
 * -EINVAL for a listening or unconnected TCP socket. */
long uk_netstack_available(int sock);
/* Drives the device and the stack once: 0, or -ENODEV without a network device. */
int uk_netstack_poll(void);
/* The interface address (network byte order) and prefix length: 0, or -ENETDOWN. */
int uk_netstack_ipv4(uint32_t *address, uint8_t *prefix);

#endif

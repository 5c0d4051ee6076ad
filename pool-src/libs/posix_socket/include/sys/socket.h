/* posix_socket: sys/socket.h (BSD sockets over the pool's TCP/IP stack; IPv4 only). Values follow
 * Linux x86_64. Blocking calls poll the network device until they can proceed, letting other
 * threads run in between (uk_idle); SO_RCVTIMEO and SO_SNDTIMEO bound them. */
#ifndef _POSIX_SOCKET_SYS_SOCKET_H
#define _POSIX_SOCKET_SYS_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t socklen_t;
typedef uint16_t sa_family_t;

struct sockaddr {
	sa_family_t sa_family;
	char sa_data[14];
};

struct sockaddr_storage {
	sa_family_t ss_family;
	char __ss_padding[118];
	unsigned long __ss_align;
};

struct linger {
	int l_onoff;
	int l_linger;
};

#define AF_UNSPEC 0
#define AF_INET 2
#define PF_INET AF_INET
#define AF_INET6 10

#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000

#define SOL_SOCKET 1
#define SO_REUSEADDR 2
#define SO_ERROR 4
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21

#define SOMAXCONN 32

#define MSG_PEEK 0x2
#define MSG_DONTWAIT 0x40
#define MSG_NOSIGNAL 0x4000

#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2

int socket(int domain, int type, int protocol);
int bind(int fd, const struct sockaddr *address, socklen_t len);
int listen(int fd, int backlog);
int accept(int fd, struct sockaddr *address, socklen_t *len);
int accept4(int fd, struct sockaddr *address, socklen_t *len, int flags);
int connect(int fd, const struct sockaddr *address, socklen_t len);
ssize_t send(int fd, const void *buf, size_t len, int flags);
ssize_t recv(int fd, void *buf, size_t len, int flags);
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t to_len);
ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
		 socklen_t *from_len);
int shutdown(int fd, int how);
int setsockopt(int fd, int level, int name, const void *value, socklen_t len);
int getsockopt(int fd, int level, int name, void *value, socklen_t *len);
int getsockname(int fd, struct sockaddr *address, socklen_t *len);
int getpeername(int fd, struct sockaddr *address, socklen_t *len);

#ifdef __cplusplus
}
#endif

#endif

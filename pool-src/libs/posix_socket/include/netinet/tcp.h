/* posix_socket: netinet/tcp.h */
#ifndef _POSIX_SOCKET_NETINET_TCP_H
#define _POSIX_SOCKET_NETINET_TCP_H

#define TCP_NODELAY 1

#endif

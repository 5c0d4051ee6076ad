/* netstack: netinet/tcp.h */
#ifndef _NETSTACK_NETINET_TCP_H
#define _NETSTACK_NETINET_TCP_H

#define TCP_NODELAY 1

#endif

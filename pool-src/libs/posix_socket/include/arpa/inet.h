/* posix_socket: arpa/inet.h */
#ifndef _POSIX_SOCKET_ARPA_INET_H
#define _POSIX_SOCKET_ARPA_INET_H

#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

int inet_pton(int family, const char *text, void *out);
const char *inet_ntop(int family, const void *address, char *out, socklen_t size);
in_addr_t inet_addr(const char *text);
int inet_aton(const char *text, struct in_addr *out);
char *inet_ntoa(struct in_addr address);

#ifdef __cplusplus
}
#endif

#endif

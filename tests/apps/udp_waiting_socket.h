/* For the network-wait boot tests: a UDP socket bound to port 7777 whose reads give up after
 * 300 ms (SO_RCVTIMEO), so a recv on it waits in netstack. Prints why and returns -1 when the
 * socket cannot be made. */
#ifndef UDP_WAITING_SOCKET_H
#define UDP_WAITING_SOCKET_H

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

static int udp_waiting_socket(void)
{
	struct sockaddr_in address;
	struct timeval timeout = { .tv_sec = 0, .tv_usec = 300000 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0) {
		printf("socket failed: errno %d\n", errno);
		return -1;
	}
	memset(&address, 0, sizeof(address));
	address.sin_family = AF_INET;
	address.sin_port = htons(7777);
	if (bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0) {
		printf("bind/setsockopt failed: errno %d\n", errno);
		return -1;
	}
	return fd;
}

#endif

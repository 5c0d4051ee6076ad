/* UDP echo server for the network boot tests: echoes every datagram on port 7 (or argv[1])
 * back to its sender; a datagram "quit" ends the program with status 0. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int port = 7;
	if (argc > 1 && argv[1][0] >= '0' && argv[1][0] <= '9')
		port = atoi(argv[1]);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in address = {0};
	address.sin_family = AF_INET;
	address.sin_port = htons((uint16_t)port);
	address.sin_addr.s_addr = htonl(INADDR_ANY);
	if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
		perror("udp_echo: socket/bind");
		return 1;
	}
	printf("udp_echo: listening on port %d\n", port);
	for (;;) {
		char buf[2048];
		struct sockaddr_in peer;
		socklen_t peer_len = sizeof(peer);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &peer_len);
		if (n < 0) {
			perror("udp_echo: recvfrom");
			return 1;
		}
		char from[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &peer.sin_addr, from, sizeof(from));
		printf("udp_echo: %zd bytes from %s:%d\n", n, from, ntohs(peer.sin_port));
		if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, peer_len) != n) {
			perror("udp_echo: sendto");
			return 1;
		}
		if (n == 4 && memcmp(buf, "quit", 4) == 0) {
			close(fd);
			printf("udp_echo: bye\n");
			return 0;
		}
	}
}

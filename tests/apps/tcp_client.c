/* TCP client for the network boot tests: connects to 10.0.2.2:PORT (QEMU user networking's
 * address of the host), sends a greeting, prints the reply line and exits 0.
 * Arguments: PORT, and optionally netstack.* words (read by the stack, ignored here). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <uk/netstack.h>

int main(int argc, char **argv)
{
	int port = 0;
	for (int i = 1; i < argc; i++)
		if (argv[i][0] >= '0' && argv[i][0] <= '9')
			port = atoi(argv[i]);
	if (port == 0) {
		printf("usage: tcp_client PORT\n");
		return 2;
	}
	uint32_t ip;
	uint8_t prefix;
	if (uk_netstack_ipv4(&ip, &prefix) == 0) {
		struct in_addr a = {ip};
		printf("tcp_client: address %s/%d\n", inet_ntoa(a), prefix);
	}
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct timeval timeout = {20, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	struct sockaddr_in server = {0};
	server.sin_family = AF_INET;
	server.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "10.0.2.2", &server.sin_addr);
	if (connect(fd, (struct sockaddr *)&server, sizeof(server)) < 0) {
		perror("tcp_client: connect");
		return 1;
	}
	struct sockaddr_in local;
	socklen_t local_len = sizeof(local);
	getsockname(fd, (struct sockaddr *)&local, &local_len);
	printf("tcp_client: connected from port %d\n", ntohs(local.sin_port));
	const char greeting[] = "hello from ukl\n";
	if (send(fd, greeting, sizeof(greeting) - 1, 0) != (ssize_t)sizeof(greeting) - 1) {
		perror("tcp_client: send");
		return 1;
	}
	char reply[256];
	size_t len = 0;
	while (len < sizeof(reply) - 1) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 20000) != 1) {
			printf("tcp_client: no reply\n");
			return 1;
		}
		ssize_t n = recv(fd, reply + len, sizeof(reply) - 1 - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(reply, '\n', len))
			break;
	}
	reply[len] = 0;
	printf("tcp_client: reply: %s", reply);
	close(fd);
	return len > 0 ? 0 : 1;
}

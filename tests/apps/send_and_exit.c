/* Network boot test: connects to 10.0.2.2:PORT, sends 1 MiB (a counting pattern), closes the
 * socket and returns from main at once. The host must still receive every byte: before the
 * guest stops, the exit hooks let the stack deliver what the connection was given.
 * Arguments: PORT. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define TOTAL (1024 * 1024)

int main(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: send_and_exit PORT\n");
		return 2;
	}
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in server = {0};
	server.sin_family = AF_INET;
	server.sin_port = htons((uint16_t)atoi(argv[1]));
	inet_pton(AF_INET, "10.0.2.2", &server.sin_addr);
	if (connect(fd, (struct sockaddr *)&server, sizeof(server)) < 0) {
		perror("send_and_exit: connect");
		return 1;
	}
	static unsigned char chunk[8192];
	for (size_t sent = 0; sent < TOTAL; sent += sizeof(chunk)) {
		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = (unsigned char)((sent + i) % 251);
		for (size_t done = 0; done < sizeof(chunk);) {
			ssize_t n = send(fd, chunk + done, sizeof(chunk) - done, 0);
			if (n <= 0) {
				perror("send_and_exit: send");
				return 1;
			}
			done += (size_t)n;
		}
	}
	close(fd);
	printf("send_and_exit: sent %d bytes\n", TOTAL);
	return 0;
}

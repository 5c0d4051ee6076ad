/* Boot test: a network wait of the only runnable thread halts the CPU. main waits in recv on a
 * UDP socket with a 300 ms SO_RCVTIMEO while nothing else can run; netstack calls uk_idle
 * between polls, and schedcoop's idle hook halts until a device interrupt (virtio-net's), the
 * next deadline or 1 ms. With a yielding idle hook the wait never halts (idle_halts stays 0). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/time.h>
#include <uk/sched.h>
#include <unistd.h>

int main(void)
{
	struct sockaddr_in address;
	struct timeval timeout = { .tv_sec = 0, .tv_usec = 300000 };
	struct uk_sched_stats before, after;
	char buf[64];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0) {
		printf("socket failed: errno %d\n", errno);
		return 1;
	}
	memset(&address, 0, sizeof(address));
	address.sin_family = AF_INET;
	address.sin_port = htons(7777);
	if (bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0) {
		printf("bind/setsockopt failed: errno %d\n", errno);
		return 1;
	}
	uk_sched_stats(&before);
	long n = recv(fd, buf, sizeof(buf), 0);
	int error = errno;
	uk_sched_stats(&after);
	close(fd);
	unsigned long halts = (unsigned long)(after.idle_halts - before.idle_halts);
	printf("recv %ld errno %d; the wait halted %s\n", n, error,
	       halts > 0 ? "the CPU" : "never");
	return n == -1 && error == EAGAIN && halts > 0 ? 0 : 1;
}

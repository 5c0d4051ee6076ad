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

#include "udp_waiting_socket.h"

int main(void)
{
	struct uk_sched_stats before, after;
	char buf[64];
	int fd = udp_waiting_socket();

	if (fd < 0)
		return 1;
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

/* Boot test: a thread blocked in a socket call lets the other threads run (netstack calls
 * uk_idle between polls, and schedcoop makes uk_idle a yield). main waits in recv on a UDP
 * socket with a 300 ms SO_RCVTIMEO while a second thread counts its turns; with a spinning
 * wait the cooperative scheduler would never run the counter. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/time.h>
#include <unistd.h>

#include "udp_waiting_socket.h"

static volatile int stop;
static volatile unsigned long turns;

static void *counter(void *arg)
{
	(void)arg;
	while (!stop) {
		turns++;
		sched_yield();
	}
	return NULL;
}

int main(void)
{
	pthread_t thread;
	char buf[64];
	int fd = udp_waiting_socket();

	if (fd < 0)
		return 1;
	if (pthread_create(&thread, NULL, counter, NULL) != 0) {
		printf("pthread_create failed\n");
		return 1;
	}
	long n = recv(fd, buf, sizeof(buf), 0);
	int error = errno;
	unsigned long seen = turns;
	stop = 1;
	pthread_join(thread, NULL);
	close(fd);
	printf("recv %ld errno %d; the other thread ran %s\n", n, error,
	       seen > 0 ? "while main waited" : "never");
	return n == -1 && error == EAGAIN && seen > 0 ? 0 : 1;
}

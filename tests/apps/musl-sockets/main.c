/* BSD sockets and threads through musl's libc.a, unmodified: a TCP line-echo server with one
 * thread per connection (read through stdio's readv, replies through writev), a UDP service
 * that answers in upper case, both watched with epoll (and poll while the last connections
 * end), select/fcntl/fstat/dup on sockets, and a TCP client that finds its server with
 * getaddrinfo, and a local socket pair between two threads. On Linux the kernel serves it; in a unikernel
 * linux_syscall + linux_net + linux_thread serve it over netstack and uksched.
 *
 *   main TCP_PORT UDP_PORT SERVER_ADDRESS SERVER_PORT
 *
 * Everything printed is the same on Linux and in the unikernel. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int connections, lines, quitting, active;

static void fail(const char *what)
{
	printf("FAILED: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *serve(void *arg)
{
	int fd = (int)(long)arg;
	FILE *in = fdopen(dup(fd), "r");
	char line[256];

	if (!in)
		fail("fdopen");
	while (fgets(line, sizeof line, in)) {
		if (strcmp(line, "quit\n") == 0) {
			pthread_mutex_lock(&lock);
			quitting = 1;
			pthread_mutex_unlock(&lock);
			if (write(fd, "bye\n", 4) != 4)
				fail("write bye");
			break;
		}
		struct iovec parts[2] = { { "echo: ", 6 }, { line, strlen(line) } };
		if (writev(fd, parts, 2) != (ssize_t)(6 + strlen(line)))
			fail("writev");
		pthread_mutex_lock(&lock);
		lines++;
		pthread_mutex_unlock(&lock);
	}
	fclose(in);
	close(fd);
	pthread_mutex_lock(&lock);
	active--;
	pthread_mutex_unlock(&lock);
	return NULL;
}

static int listen_on(int type, int port)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), one = 1;
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (fd < 0)
		fail("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		fail("setsockopt");
	if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0)
		fail("bind");
	if (type == SOCK_STREAM && listen(fd, 8) < 0)
		fail("listen");
	return fd;
}

/* The client side: connect to SERVER_ADDRESS:SERVER_PORT, say hello, read the welcome. */
static void client(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *found;
	char reply[64];

	if (getaddrinfo(host, port, &hints, &found) != 0)
		fail("getaddrinfo");
	int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
	if (fd < 0 || connect(fd, found->ai_addr, found->ai_addrlen) < 0)
		fail("connect");
	freeaddrinfo(found);
	const char hello[] = "hello from the program\n";
	if (send(fd, hello, strlen(hello), 0) != (ssize_t)strlen(hello))
		fail("send");
	ssize_t n = recv(fd, reply, sizeof reply - 1, MSG_WAITALL);
	if (n < 0)
		fail("recv");
	reply[n] = 0;
	printf("client: the server said: %s", reply);
	close(fd);
}

static void *pair_writer(void *arg)
{
	int fd = (int)(long)arg;
	const char *text = "hello through a socket pair";
	if (send(fd, text, strlen(text), 0) != (ssize_t)strlen(text))
		fail("send on a socket pair");
	close(fd);
	return NULL;
}

/* A local socket pair: a thread sends, the main thread waits in recv (on the unikernel,
 * served by linux_syscall through linux_net's hand-back), then sees the end of the data. */
static void socket_pair(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		fail("socketpair");
	pthread_t thread;
	if (pthread_create(&thread, NULL, pair_writer, (void *)(long)sv[1]) != 0)
		fail("pthread_create");
	char text[64];
	size_t got = 0;
	ssize_t n;
	while ((n = recv(sv[0], text + got, sizeof text - 1 - got, 0)) > 0)
		got += n;
	text[got] = 0;
	pthread_join(thread, NULL);
	printf("socket pair: [%s], then %s\n", text, n == 0 ? "end of data" : strerror(errno));
	close(sv[0]);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s TCP_PORT UDP_PORT SERVER_ADDRESS SERVER_PORT\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	client(argv[3], argv[4]);
	socket_pair();

	int tcp = listen_on(SOCK_STREAM, atoi(argv[1]));
	int udp = listen_on(SOCK_DGRAM, atoi(argv[2]));
	struct sockaddr_in bound;
	socklen_t bound_len = sizeof bound;
	getsockname(tcp, (struct sockaddr *)&bound, &bound_len);
	printf("getsockname: port %s\n", ntohs(bound.sin_port) == atoi(argv[1]) ? "matches" : "differs");
	struct stat st;
	fstat(tcp, &st);
	printf("fstat: socket %s\n", S_ISSOCK(st.st_mode) ? "yes" : "no");

	/* A second UDP socket, non-blocking: nothing to read yet. */
	int idle = socket(AF_INET, SOCK_DGRAM, 0);
	fcntl(idle, F_SETFL, fcntl(idle, F_GETFL) | O_NONBLOCK);
	char byte;
	ssize_t r = recv(idle, &byte, 1, 0);
	printf("non-blocking recv: %zd %s\n", r, errno == EAGAIN ? "EAGAIN" : strerror(errno));
	fd_set readable;
	FD_ZERO(&readable);
	FD_SET(idle, &readable);
	struct timeval zero = { 0, 0 };
	printf("select with no wait: %d ready\n", select(idle + 1, &readable, NULL, NULL, &zero));
	close(idle);
	/* A duplicate of the listener, closed: the listener stays open. */
	close(dup(tcp));
	printf("listening\n");

	int datagrams = 0;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event watch = { .events = EPOLLIN, .data.fd = tcp };
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, tcp, &watch) < 0)
		fail("epoll");
	watch.data.fd = udp;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, udp, &watch) < 0)
		fail("epoll_ctl");
	for (;;) {
		pthread_mutex_lock(&lock);
		int done = quitting && active == 0;
		int ending = quitting;
		pthread_mutex_unlock(&lock);
		if (done)
			break;
		struct pollfd fds[2] = { { tcp, POLLIN, 0 }, { udp, POLLIN, 0 } };
		if (ending) {
			/* The last connections are ending: poll the two sockets instead. */
			if (poll(fds, 2, 100) < 0)
				fail("poll");
		} else {
			struct epoll_event events[2];
			int ready = epoll_wait(ep, events, 2, 100);
			if (ready < 0)
				fail("epoll_wait");
			for (int i = 0; i < ready; i++)
				fds[events[i].data.fd == tcp ? 0 : 1].revents = events[i].events & POLLIN;
		}
		if (fds[0].revents & POLLIN) {
			int fd = accept4(tcp, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				fail("accept4");
			pthread_t thread;
			pthread_mutex_lock(&lock);
			connections++;
			active++;
			pthread_mutex_unlock(&lock);
			if (pthread_create(&thread, NULL, serve, (void *)(long)fd) != 0)
				fail("pthread_create");
			pthread_detach(thread);
		}
		if (fds[1].revents & POLLIN) {
			char text[512];
			struct sockaddr_in peer;
			socklen_t peer_len = sizeof peer;
			int queued = -1;
			if (ioctl(udp, FIONREAD, &queued) < 0)
				fail("ioctl FIONREAD");
			ssize_t n = recvfrom(udp, text, sizeof text, 0, (struct sockaddr *)&peer, &peer_len);
			if (n < 0)
				fail("recvfrom");
			if (queued != n)
				printf("FIONREAD said %d for a datagram of %zd bytes\n", queued, n);
			for (ssize_t i = 0; i < n; i++)
				text[i] = toupper((unsigned char)text[i]);
			if (sendto(udp, text, n, 0, (struct sockaddr *)&peer, peer_len) != n)
				fail("sendto");
			datagrams++;
		}
	}
	close(ep);
	printf("connections: %d, lines: %d, datagrams: %d\n", connections, lines, datagrams);
	printf("== done\n");
	return 0;
}

/* httpd: a small HTTP/1.1 server (keep-alive, pipelining, static pages from memory) over the
 * BSD socket API, one poll() loop for every connection.
 *
 * The same source builds as a ukl unikernel (make) and as a Linux program (make native), so
 * that the two can be compared under the same load (bench/httpd.sh).
 *
 * Pages: /            a small HTML page
 *        /hello.txt   "Hello from ukl httpd\n"
 *        /big         64 KiB of text
 *        /stats       allocator counters and requests served (unikernel: ukalloc's stats)
 *        /quit        answers, then the server exits with status 0 (for tests)
 * Arguments: a number is the port (default 80); "quit-after=N" exits after N requests. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#if __has_include(<uk/alloc.h>)
#include <uk/alloc.h>
#define HAVE_UK_ALLOC 1
#endif

#define MAX_CLIENTS 64
#define REQUEST_MAX 4096
#define BIG_SIZE (64 * 1024)

struct client {
	int fd;
	size_t len;
	char buf[REQUEST_MAX];
};

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><title>ukl httpd</title></head>\n"
	"<body><h1>ukl httpd</h1><p>An HTTP/1.1 server in a unikernel.</p></body></html>\n";
static const char hello_page[] = "Hello from ukl httpd\n";
static char *big_page;
static unsigned long requests;
static int quit_requested;
static struct client clients[MAX_CLIENTS];

static int send_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int respond(int fd, int status, const char *type, const char *body, size_t len,
		   int keep_alive)
{
	char head[256];
	const char *reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request";
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nServer: ukl-httpd\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: %s\r\n\r\n",
			 status, reason, type, len, keep_alive ? "keep-alive" : "close");
	if (send_all(fd, head, (size_t)n) < 0 || send_all(fd, body, len) < 0)
		return -1;
	return 0;
}

static int stats_page(char *out, size_t size)
{
#ifdef HAVE_UK_ALLOC
	struct uk_alloc_stats s;
	uk_alloc_stats(&s);
	return snprintf(out, size,
			"used_bytes=%zu\nalloc_count=%zu\nfree_count=%zu\npeak_used_bytes=%zu\n"
			"requests=%lu\n",
			s.used_bytes, s.alloc_count, s.free_count, s.peak_used_bytes, requests);
#else
	return snprintf(out, size, "used_bytes=0\nrequests=%lu\n", requests);
#endif
}

/* Handles one complete request; -1 closes the connection. */
static int handle(int fd, char *request, size_t len)
{
	char path[256];
	char *line_end = memchr(request, '\r', len);
	char *space, *path_end;
	int keep_alive, http10;
	size_t path_len;

	requests++;
	if (!line_end || strncmp(request, "GET ", 4) != 0) {
		respond(fd, 400, "text/plain", "bad request\n", 12, 0);
		return -1;
	}
	space = request + 4;
	path_end = memchr(space, ' ', (size_t)(line_end - space));
	if (!path_end)
		path_end = line_end;
	path_len = (size_t)(path_end - space);
	if (path_len >= sizeof(path))
		path_len = sizeof(path) - 1;
	memcpy(path, space, path_len);
	path[path_len] = 0;

	http10 = strncmp(path_end, " HTTP/1.0", 9) == 0;
	keep_alive = !http10;
	for (char *h = line_end; h && h < request + len; h = memchr(h + 1, '\n', (size_t)(request + len - h - 1))) {
		if (strncasecmp(h + 1, "connection: close", 17) == 0)
			keep_alive = 0;
		else if (strncasecmp(h + 1, "connection: keep-alive", 22) == 0)
			keep_alive = 1;
	}

	int status;
	if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)
		status = respond(fd, 200, "text/html", index_page, sizeof(index_page) - 1, keep_alive);
	else if (strcmp(path, "/hello.txt") == 0)
		status = respond(fd, 200, "text/plain", hello_page, sizeof(hello_page) - 1, keep_alive);
	else if (strcmp(path, "/big") == 0)
		status = respond(fd, 200, "text/plain", big_page, BIG_SIZE, keep_alive);
	else if (strcmp(path, "/stats") == 0) {
		char body[512];
		int n = stats_page(body, sizeof(body));
		status = respond(fd, 200, "text/plain", body, (size_t)n, keep_alive);
	} else if (strcmp(path, "/quit") == 0) {
		quit_requested = 1;
		status = respond(fd, 200, "text/plain", "bye\n", 4, 0);
	} else
		status = respond(fd, 404, "text/plain", "not found\n", 10, keep_alive);
	return status < 0 || !keep_alive ? -1 : 0;
}

/* Reads what is there and answers every complete request; -1 closes. */
static int serve(struct client *c)
{
	ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	if (n <= 0)
		return -1;
	c->len += (size_t)n;
	for (;;) {
		char *end = NULL;
		for (size_t i = 0; i + 3 < c->len; i++) {
			if (memcmp(c->buf + i, "\r\n\r\n", 4) == 0) {
				end = c->buf + i + 4;
				break;
			}
		}
		if (!end)
			return c->len == sizeof(c->buf) ? -1 : 0;
		size_t used = (size_t)(end - c->buf);
		if (handle(c->fd, c->buf, used) < 0)
			return -1;
		memmove(c->buf, end, c->len - used);
		c->len -= used;
	}
}

int main(int argc, char **argv)
{
	int port = 80;
	unsigned long quit_after = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] >= '0' && argv[i][0] <= '9')
			port = atoi(argv[i]);
		else if (strncmp(argv[i], "quit-after=", 11) == 0)
			quit_after = strtoul(argv[i] + 11, NULL, 10);
	}

	big_page = malloc(BIG_SIZE);
	if (!big_page)
		return 1;
	for (int i = 0; i < BIG_SIZE; i++)
		big_page[i] = (i % 64 == 63) ? '\n' : (char)('a' + i % 26);

	int listener = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in address;
	memset(&address, 0, sizeof(address));
	address.sin_family = AF_INET;
	address.sin_port = htons((uint16_t)port);
	address.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(listener, (struct sockaddr *)&address, sizeof(address)) < 0 ||
	    listen(listener, SOMAXCONN) < 0) {
		perror("httpd: bind/listen");
		return 1;
	}
	printf("httpd: listening on port %d\n", port);

	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	struct pollfd fds[MAX_CLIENTS + 1];
	for (;;) {
		fds[0].fd = listener;
		fds[0].events = POLLIN;
		for (int i = 0; i < MAX_CLIENTS; i++) {
			fds[i + 1].fd = clients[i].fd;
			fds[i + 1].events = POLLIN;
		}
		if (poll(fds, MAX_CLIENTS + 1, -1) < 0) {
			perror("httpd: poll");
			return 1;
		}
		if (fds[0].revents & POLLIN) {
			int fd = accept(listener, NULL, NULL);
			if (fd >= 0) {
				int slot = -1;
				for (int i = 0; i < MAX_CLIENTS && slot < 0; i++)
					if (clients[i].fd < 0)
						slot = i;
				if (slot < 0) {
					close(fd);
				} else {
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					clients[slot].fd = fd;
					clients[slot].len = 0;
				}
			}
		}
		for (int i = 0; i < MAX_CLIENTS; i++) {
			if (clients[i].fd < 0 || fds[i + 1].fd != clients[i].fd ||
			    !(fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (serve(&clients[i]) < 0) {
				close(clients[i].fd);
				clients[i].fd = -1;
			}
		}
		if (quit_requested || (quit_after && requests >= quit_after)) {
			printf("httpd: served %lu requests\n", requests);
			return 0;
		}
	}
}

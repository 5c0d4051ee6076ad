/* The Linux system call layer, family by family, through musl. Prints only what is the same
 * on Linux and on ukl (results, errno names, alignment checks), so that the two outputs can
 * be compared byte for byte. Run it in an empty working directory that holds `input.txt`
 * ("initrd contents\n"). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sched.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <sys/select.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static const char *err(int e)
{
	switch (e) {
	case 0: return "ok";
	case ENOENT: return "ENOENT";
	case EBADF: return "EBADF";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ENOTTY: return "ENOTTY";
	case ESPIPE: return "ESPIPE";
	case ENOMEM: return "ENOMEM";
	case EAGAIN: return "EAGAIN";
	case EPIPE: return "EPIPE";
	case EPERM: return "EPERM";
	case ECHILD: return "ECHILD";
	case ENOTSOCK: return "ENOTSOCK";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EISCONN: return "EISCONN";
	case ENOSPC: return "ENOSPC";
	case EINTR: return "EINTR";
	default: return "other";
	}
}

#define CHECK(name, expr) do { errno = 0; long r_ = (long)(expr); \
	printf("%-28s %ld %s\n", name, r_ < 0 ? -1L : r_, err(r_ < 0 ? errno : 0)); } while (0)

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void memory(void)
{
	puts("== memory");
	for (size_t len = 1; len <= (1u << 22); len *= 7) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int zero = 1;
		for (size_t i = 0; i < len; i += 997) zero &= p[i] == 0;
		memset(p, 0xab, len);
		printf("mmap %-8zu aligned=%d zeroed=%d\n", len, ((uintptr_t)p & 4095) == 0, zero);
		char *q = mremap(p, len, len * 3, MREMAP_MAYMOVE);
		printf("mremap x3 aligned=%d kept=%d\n", ((uintptr_t)q & 4095) == 0,
		       (unsigned char)q[len - 1] == 0xab);
		CHECK("munmap", munmap(q, len * 3));
	}
	CHECK("mmap len 0", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0);
	CHECK("munmap unaligned", munmap((void *)4097, 4096));
	char *r = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mprotect", mprotect(r, 4096, PROT_READ));
	CHECK("madvise", madvise(r, 8192, MADV_DONTNEED) == 0 ? 0 : -1);
	char *reserved = mmap(NULL, 16 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *part = mmap(reserved + 4 * 4096, 2 * 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("map fixed inside a reservation %d\n", part == reserved + 4 * 4096);
	part[0] = 1;
	part[8191] = 2;
	CHECK("madvise dontneed", madvise(part, 8192, MADV_DONTNEED));
	printf("zeroes after dontneed %d\n", part[0] == 0 && part[8191] == 0);
	CHECK("munmap reservation", munmap(reserved, 16 * 4096));
	void *blocks[64];
	int aligned = 1;
	for (int i = 0; i < 64; i++) { blocks[i] = malloc(i * 1000 + 1); aligned &= ((uintptr_t)blocks[i] & 15) == 0; }
	for (int i = 0; i < 64; i++) free(blocks[i]);
	printf("malloc aligned=%d\n", aligned);
}

static void files(void)
{
	puts("== files");
	char buf[128] = {0};
	int fd = open("input.txt", O_RDONLY);
	printf("open input %d\n", fd >= 0);
	CHECK("read input", read(fd, buf, sizeof buf - 1));
	fputs(buf, stdout);
	CHECK("pread 2 at 7", pread(fd, buf, 2, 7));
	printf("pread data %.2s\n", buf);
	CHECK("lseek end", lseek(fd, 0, SEEK_END));
	CHECK("lseek negative", lseek(fd, -100, SEEK_SET));
	CHECK("write to O_RDONLY", write(fd, "x", 1));
	struct stat st;
	CHECK("fstat", fstat(fd, &st));
	printf("regular=%d size=%lld\n", S_ISREG(st.st_mode), (long long)st.st_size);
	CHECK("close", close(fd));
	CHECK("close again", close(fd));
	CHECK("open missing", open("missing.txt", O_RDONLY));
	CHECK("mkdir d", mkdir("d", 0755));
	CHECK("mkdir d again", mkdir("d", 0755));
	CHECK("mkdir under file", mkdir("input.txt/x", 0755));
	fd = open("d/f.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	printf("create %d\n", fd >= 0);
	struct iovec iov[3] = { { "alpha ", 6 }, { "beta ", 5 }, { "gamma\n", 6 } };
	CHECK("writev", writev(fd, iov, 3));
	CHECK("pwrite at 0", pwrite(fd, "ALPHA", 5, 0));
	CHECK("ftruncate 11", ftruncate(fd, 11));
	int fd2 = dup(fd);
	CHECK("dup shares offset", lseek(fd2, 0, SEEK_CUR));
	CHECK("dup2 to 10", dup2(fd, 10));
	CHECK("dup3 to 11", dup3(fd, 11, O_CLOEXEC));
	CHECK("fcntl getfd 11", fcntl(11, F_GETFD));
	CHECK("fcntl getfl", fcntl(fd, F_GETFL) & O_ACCMODE);
	CHECK("fcntl dupfd 20", fcntl(fd, F_DUPFD, 20));
	close(fd); close(fd2); close(10); close(11); close(20);
	fd = open("d/f.txt", O_RDWR | O_APPEND);
	CHECK("append", write(fd, "!", 1));
	lseek(fd, 0, SEEK_SET);
	memset(buf, 0, sizeof buf);
	struct iovec in[2] = { { buf, 4 }, { buf + 4, 20 } };
	CHECK("readv", readv(fd, in, 2));
	printf("content [%s]\n", buf);
	CHECK("ioctl TIOCGWINSZ file", ioctl(fd, TIOCGWINSZ, &(struct winsize){0}));
	CHECK("isatty file", isatty(fd));
	close(fd);
	CHECK("stat d/f.txt", stat("d/f.txt", &st));
	printf("size=%lld\n", (long long)st.st_size);
	CHECK("stat dir is dir", stat("d", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK("fstatat", fstatat(AT_FDCWD, "d/f.txt", &st, 0));
	int dfd = open("d", O_RDONLY | O_DIRECTORY);
	CHECK("openat in dir", openat(dfd, "f.txt", O_RDONLY) >= 0);
	CHECK("open dir for writing", open("d", O_WRONLY));
	CHECK("O_DIRECTORY on file", open("input.txt", O_RDONLY | O_DIRECTORY));
	CHECK("O_EXCL on existing", open("input.txt", O_RDWR | O_CREAT | O_EXCL, 0644));
	CHECK("rename", rename("d/f.txt", "d/g.txt"));
	CHECK("rename missing", rename("d/f.txt", "d/h.txt"));
	CHECK("creat e", close(open("d/e.txt", O_CREAT | O_WRONLY, 0600)));
	DIR *dir = opendir("d");
	char *names[16];
	int count = 0;
	struct dirent *entry;
	while ((entry = readdir(dir)) != NULL && count < 16) {
		if (entry->d_name[0] != '.') names[count++] = strdup(entry->d_name);
	}
	closedir(dir);
	qsort(names, count, sizeof names[0], cmp_str);
	printf("readdir:");
	for (int i = 0; i < count; i++) printf(" %s", names[i]);
	printf("\n");
	CHECK("rmdir non-empty", rmdir("d"));
	CHECK("unlink dir", unlink("d"));
	CHECK("unlink g", unlink("d/g.txt"));
	CHECK("unlink e", unlink("d/e.txt"));
	CHECK("unlink again", unlink("d/e.txt"));
	CHECK("rmdir", rmdir("d"));
	CHECK("access input", access("input.txt", R_OK));
	CHECK("access missing", access("nothing", F_OK));
	CHECK("close(-1)", close(-1));
	CHECK("read bad fd", read(99, buf, 1));
	FILE *f = tmpfile();
	printf("tmpfile %d\n", f != NULL);
	if (f) { fputs("tmp", f); rewind(f); printf("tmpfile read %c\n", fgetc(f)); fclose(f); }
}

static void console(void)
{
	puts("== console");
	fflush(stdout);
	CHECK("write stdout", write(1, "direct\n", 7));
	CHECK("lseek stdout", lseek(1, 0, SEEK_SET));
	char c;
	CHECK("read stdin (eof)", read(0, &c, 1) > 0 ? 1 : 0);
}

static void waiting(void)
{
	puts("== poll and select");
	int file = open("input.txt", O_RDONLY);
	struct pollfd fds[4] = {
		{ file, POLLIN | POLLOUT, 0 }, { 1, POLLOUT, 0 }, { -1, POLLIN, 0 }, { 99, POLLIN, 0 },
	};
	CHECK("poll file, stdout, -1, closed", poll(fds, 4, 1000));
	printf("revents %x %x %x %x\n", fds[0].revents, fds[1].revents, fds[2].revents,
	       fds[3].revents);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK("poll nothing 30ms", poll(NULL, 0, 30));
	clock_gettime(CLOCK_MONOTONIC, &b);
	long elapsed = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
	printf("poll waited at least 30ms %d\n", elapsed >= 30000000L);
	struct timespec zero = { 0, 0 };
	CHECK("ppoll file", ppoll(fds, 1, &zero, NULL));
	fd_set readable, writable;
	FD_ZERO(&readable);
	FD_ZERO(&writable);
	FD_SET(file, &readable);
	FD_SET(1, &writable);
	struct timeval tv = { 1, 0 };
	CHECK("select file, stdout", select(file + 1, &readable, &writable, NULL, &tv));
	printf("set %d %d\n", FD_ISSET(file, &readable), FD_ISSET(1, &writable));
	/* A descriptor the program closed itself: Linux's select ignores numbers beyond its
	 * descriptor table (64 entries until a process opens more), so a high closed number
	 * gives EBADF or 0 depending on what the parent had open. */
	int gone = dup(file);
	close(gone);
	FD_ZERO(&readable);
	FD_SET(gone, &readable);
	CHECK("select closed", pselect(gone + 1, &readable, NULL, NULL, &zero, NULL));
	close(file);
}

static void channels(void)
{
	puts("== pipes, eventfd, epoll");
	int p[2];
	char buf[16];
	CHECK("pipe2", pipe2(p, O_CLOEXEC));
	CHECK("write pipe", write(p[1], "hello", 5));
	struct pollfd pf = { p[0], POLLIN, 0 };
	CHECK("poll pipe", poll(&pf, 1, 0));
	printf("revents %x\n", pf.revents);
	CHECK("read pipe", read(p[0], buf, sizeof buf));
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	CHECK("read empty pipe", read(p[0], buf, sizeof buf));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK("epoll_create1", ep >= 0 ? 0 : -1);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 };
	struct epoll_event out[4];
	CHECK("epoll_ctl add pipe", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	CHECK("epoll_ctl add again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	CHECK("epoll_wait nothing", epoll_wait(ep, out, 4, 10));
	CHECK("write pipe", write(p[1], "x", 1));
	CHECK("epoll_wait pipe", epoll_wait(ep, out, 4, 1000));
	printf("event %x data %llu\n", out[0].events, (unsigned long long)out[0].data.u64);
	int f = open("input.txt", O_RDONLY);
	CHECK("epoll_ctl add file", epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev));
	close(f);
	int e = eventfd(3, EFD_NONBLOCK);
	uint64_t v = 0;
	CHECK("eventfd read", read(e, &v, 8));
	printf("eventfd value %llu\n", (unsigned long long)v);
	CHECK("eventfd read empty", read(e, &v, 8));
	v = 5;
	CHECK("eventfd write", write(e, &v, 8));
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = 7;
	CHECK("epoll_ctl add eventfd", epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev));
	CHECK("epoll_ctl del pipe", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	CHECK("epoll_wait one-shot", epoll_wait(ep, out, 4, 1000));
	printf("data %llu\n", (unsigned long long)out[0].data.u64);
	CHECK("epoll_wait disarmed", epoll_wait(ep, out, 4, 10));
	close(p[1]);
	CHECK("read the rest", read(p[0], buf, sizeof buf));
	CHECK("read at end of file", read(p[0], buf, sizeof buf));
	CHECK("poll hung-up pipe", poll(&pf, 1, 0));
	printf("revents %x\n", pf.revents);
	int q[2];
	signal(SIGPIPE, SIG_IGN);
	CHECK("pipe", pipe(q));
	close(q[0]);
	CHECK("write without readers", write(q[1], "x", 1));
	close(q[1]);
	close(p[0]);
	close(e);
	close(ep);
}

static void timing(void)
{
	puts("== time");
	struct timespec a, b, res;
	CHECK("clock_gettime mono", clock_gettime(CLOCK_MONOTONIC, &a));
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	CHECK("nanosleep 20ms", nanosleep(&nap, NULL));
	clock_gettime(CLOCK_MONOTONIC, &b);
	long elapsed = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
	printf("slept at least 20ms %d\n", elapsed >= 20000000L);
	CHECK("clock_getres", clock_getres(CLOCK_REALTIME, &res));
	CHECK("bad clock", clock_gettime((clockid_t)99, &a));
	struct timeval tv;
	CHECK("gettimeofday", gettimeofday(&tv, NULL));
	printf("wall clock after 2023 %d\n", tv.tv_sec > 1700000000);
	printf("time() agrees %d\n", labs(time(NULL) - tv.tv_sec) <= 1);
}

static volatile int caught, last_signal, info_signo, info_code;

static void on_signal(int signal)
{
	caught++;
	last_signal = signal;
}

static void on_info(int signal, siginfo_t *info, void *context)
{
	(void)context;
	info_signo = info->si_signo == signal ? signal : -1;
	info_code = info->si_code;
}

static void process(void)
{
	puts("== process");
	struct utsname u;
	CHECK("uname", uname(&u));
	printf("machine %s\n", u.machine);
	printf("getpid positive %d\n", getpid() > 0);
	unsigned char r[32] = {0};
	CHECK("getrandom", getrandom(r, sizeof r, 0));
	int nonzero = 0;
	for (int i = 0; i < 32; i++) nonzero |= r[i];
	printf("random nonzero %d\n", nonzero != 0);
	CHECK("signal handler", signal(SIGUSR1, SIG_IGN) == SIG_ERR ? -1 : 0);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK("sigprocmask", sigprocmask(SIG_BLOCK, &set, NULL));
	CHECK("raise SIGCHLD (ignored)", raise(SIGCHLD));
	CHECK("raise ignored SIGUSR1", raise(SIGUSR1));
	signal(SIGUSR1, on_signal);
	CHECK("raise SIGUSR1", raise(SIGUSR1));
	CHECK("kill SIGUSR1 to self", kill(getpid(), SIGUSR1));
	printf("handler ran %d times, signal %d\n", caught, last_signal);
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	CHECK("sigaction SIGUSR2", sigaction(SIGUSR2, &sa, NULL));
	CHECK("raise blocked SIGUSR2", raise(SIGUSR2));
	printf("ran while blocked %d\n", info_signo != 0);
	sigset_t waiting;
	sigpending(&waiting);
	printf("pending %d\n", sigismember(&waiting, SIGUSR2));
	CHECK("unblock SIGUSR2", sigprocmask(SIG_UNBLOCK, &set, NULL));
	printf("ran on unblock: signal %d, sent by tkill %d\n", info_signo, info_code == SI_TKILL);
	struct sigaction old;
	sigaction(SIGUSR1, NULL, &old);
	printf("handler kept %d\n", old.sa_handler == on_signal);
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	sigaction(SIGUSR2, NULL, &old);
	printf("reset to default %d\n", old.sa_handler == SIG_DFL);
	CHECK("sigaction SIGKILL", sigaction(SIGKILL, &sa, NULL));
	CHECK("kill 0 to self", kill(getpid(), 0));
	char cwd[64];
	printf("getcwd %d\n", getcwd(cwd, sizeof cwd) != NULL);
	static __thread int tls = 7;
	printf("tls %d\n", tls);
}

static int mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static long mtime_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_mtime : -1;
}

static void attributes(void)
{
	puts("== attributes");
	umask(027);
	printf("umask kept %o\n", (unsigned)umask(027));
	int fd = open("m.txt", O_RDWR | O_CREAT, 0666);
	printf("new file mode %o\n", mode_of("m.txt"));
	CHECK("chmod", chmod("m.txt", 0600));
	printf("mode %o\n", mode_of("m.txt"));
	CHECK("fchmod", fchmod(fd, 0444));
	printf("mode %o\n", mode_of("m.txt"));
	CHECK("fchmodat", fchmodat(AT_FDCWD, "m.txt", 0644, 0));
	printf("mode %o\n", mode_of("m.txt"));
	CHECK("chmod missing", chmod("nothing", 0600));
	CHECK("chown unchanged", chown("m.txt", (uid_t)-1, (gid_t)-1));
	CHECK("fchown unchanged", fchown(fd, (uid_t)-1, (gid_t)-1));
	CHECK("lchown missing", lchown("nothing", (uid_t)-1, (gid_t)-1));
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1000000000, 0 } };
	CHECK("utimensat", utimensat(AT_FDCWD, "m.txt", ts, 0));
	printf("mtime set %d\n", mtime_of("m.txt") == 1000000000);
	CHECK("futimens now", futimens(fd, NULL));
	printf("mtime now %d\n", labs(mtime_of("m.txt") - time(NULL)) <= 2);
	struct timeval tv[2] = { { 0, 0 }, { 1100000000, 0 } };
	CHECK("utimes", utimes("m.txt", tv));
	printf("mtime set %d\n", mtime_of("m.txt") == 1100000000);
	ts[1].tv_nsec = 2000000000;
	CHECK("utimensat bad nsec", utimensat(AT_FDCWD, "m.txt", ts, 0));
	CHECK("flock exclusive", flock(fd, LOCK_EX));
	CHECK("flock unlock", flock(fd, LOCK_UN));
	CHECK("flock bad fd", flock(99, LOCK_EX));
	struct statfs fs;
	CHECK("statfs", statfs(".", &fs));
	printf("block size > 0 %d\n", fs.f_bsize > 0);
	CHECK("fstatfs", fstatfs(fd, &fs));
	CHECK("statfs missing", statfs("nothing", &fs));
	char link[16];
	CHECK("readlink file", readlink("m.txt", link, sizeof link));
	CHECK("readlink missing", readlink("nothing", link, sizeof link));
	struct iovec out[2] = { { "abc", 3 }, { "defg", 4 } };
	CHECK("pwritev at 3", pwritev(fd, out, 2, 3));
	char a[5], b[5];
	struct iovec in[2] = { { a, 5 }, { b, 5 } };
	CHECK("preadv at 0", preadv(fd, in, 2, 0));
	printf("preadv [");
	for (int i = 0; i < 10; i++) putchar((i < 5 ? a[i] : b[i - 5]) ? (i < 5 ? a[i] : b[i - 5]) : '.');
	printf("]\n");
	CHECK("position unmoved", lseek(fd, 0, SEEK_CUR));
	close(fd);
	int input = open("input.txt", O_RDONLY);
	int p[2];
	pipe(p);
	off_t at = 5;
	CHECK("sendfile to pipe", sendfile(p[1], input, &at, 7));
	printf("offset now %ld\n", (long)at);
	char piece[8] = {0};
	read(p[0], piece, 7);
	printf("piece [%s]\n", piece);
	CHECK("position unmoved", lseek(input, 0, SEEK_CUR));
	fflush(stdout);
	CHECK("sendfile to stdout", sendfile(1, input, NULL, 100));
	CHECK("position moved", lseek(input, 0, SEEK_CUR));
	CHECK("sendfile at end", sendfile(p[1], input, NULL, 100));
	close(p[0]);
	close(p[1]);
	close(input);
	CHECK("creat", creat("c.txt", 0600) >= 0 ? 0 : -1);
	printf("creat mode %o\n", mode_of("c.txt"));
	unlink("c.txt");
	unlink("m.txt");
	umask(022);
}

static void socket_pairs(void)
{
	puts("== socket pairs");
	int sv[2];
	char buf[16] = {0};
	CHECK("socketpair stream", socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	CHECK("write", write(sv[0], "ping", 4));
	CHECK("read the other end", read(sv[1], buf, sizeof buf));
	printf("got [%s]\n", buf);
	CHECK("send", send(sv[1], "pong!", 5, MSG_NOSIGNAL));
	CHECK("recv peek", recv(sv[0], buf, 4, MSG_PEEK));
	memset(buf, 0, sizeof buf);
	CHECK("recv", recv(sv[0], buf, sizeof buf, 0));
	printf("got [%s]\n", buf);
	CHECK("recv nothing", recv(sv[0], buf, sizeof buf, MSG_DONTWAIT));
	struct pollfd pf = { sv[0], POLLIN | POLLOUT, 0 };
	CHECK("poll", poll(&pf, 1, 0));
	printf("revents %x\n", pf.revents);
	struct iovec out[2] = { { "ab", 2 }, { "cd", 2 } };
	struct msghdr m = { .msg_iov = out, .msg_iovlen = 2 };
	CHECK("sendmsg", sendmsg(sv[0], &m, 0));
	char in1[3] = {0}, in2[8] = {0};
	struct iovec in[2] = { { in1, 2 }, { in2, 7 } };
	struct msghdr r = { .msg_iov = in, .msg_iovlen = 2 };
	CHECK("recvmsg", recvmsg(sv[1], &r, 0));
	printf("got [%s|%s]\n", in1, in2);
	int type = 0;
	socklen_t len = sizeof type;
	CHECK("getsockopt SO_TYPE", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len));
	printf("type %d\n", type);
	struct stat st;
	fstat(sv[0], &st);
	printf("is a socket %d\n", S_ISSOCK(st.st_mode));
	CHECK("sendto with an address", sendto(sv[0], "x", 1, 0, (struct sockaddr *)&st, 16));
	CHECK("shutdown write", shutdown(sv[0], SHUT_WR));
	CHECK("read at the end", read(sv[1], buf, sizeof buf));
	pf = (struct pollfd){ sv[1], POLLIN | POLLOUT, 0 };
	CHECK("poll half closed", poll(&pf, 1, 0));
	printf("revents %x\n", pf.revents);
	CHECK("write after shutdown", send(sv[0], "x", 1, MSG_NOSIGNAL));
	CHECK("the other way still", write(sv[1], "back", 4));
	CHECK("read it", read(sv[0], buf, sizeof buf));
	close(sv[1]);
	pf = (struct pollfd){ sv[0], POLLIN | POLLOUT, 0 };
	CHECK("poll peer closed", poll(&pf, 1, 0));
	printf("revents %x\n", pf.revents);
	close(sv[0]);
	CHECK("socketpair dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	send(sv[0], "one", 3, 0);
	send(sv[0], "three", 5, 0);
	memset(buf, 0, sizeof buf);
	CHECK("recv a datagram", recv(sv[1], buf, sizeof buf, 0));
	printf("got [%s]\n", buf);
	memset(buf, 0, sizeof buf);
	CHECK("recv cut short", recv(sv[1], buf, 2, 0));
	printf("got [%s]\n", buf);
	CHECK("rest dropped", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 5 };
	epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
	CHECK("epoll_wait nothing", epoll_wait(ep, &ev, 1, 0));
	send(sv[0], "hi", 2, 0);
	CHECK("epoll_wait datagram", epoll_wait(ep, &ev, 1, 1000));
	printf("data %llu\n", (unsigned long long)ev.data.u64);
	close(ep);
	close(sv[0]);
	close(sv[1]);
	CHECK("socketpair inet", socketpair(AF_INET, SOCK_STREAM, 0, sv));
	int file = open("input.txt", O_RDONLY);
	CHECK("send on a file", send(file, "x", 1, 0));
	close(file);
}

static void devices(void)
{
	puts("== devices");
	char buf[16];
	int null = open("/dev/null", O_RDWR);
	CHECK("write /dev/null", write(null, "gone", 4));
	CHECK("read /dev/null", read(null, buf, sizeof buf));
	CHECK("lseek /dev/null", lseek(null, 100, SEEK_SET));
	CHECK("isatty /dev/null", isatty(null));
	struct stat st;
	CHECK("fstat /dev/null", fstat(null, &st));
	printf("char device %d, %u:%u, mode %o\n", S_ISCHR(st.st_mode), major(st.st_rdev),
	       minor(st.st_rdev), (unsigned)(st.st_mode & 0777));
	struct pollfd pf = { null, POLLIN | POLLOUT, 0 };
	CHECK("poll /dev/null", poll(&pf, 1, 0));
	printf("revents %x\n", pf.revents);
	close(null);
	int zero = open("/dev/zero", O_RDONLY);
	memset(buf, 'x', sizeof buf);
	CHECK("read /dev/zero", read(zero, buf, sizeof buf));
	printf("zeroes %d\n", buf[0] == 0 && buf[15] == 0);
	char *mapped = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, zero, 0);
	printf("mmap /dev/zero %d\n", mapped != MAP_FAILED && mapped[0] == 0 && mapped[8191] == 0);
	close(zero);
	int full = open("/dev/full", O_WRONLY);
	CHECK("write /dev/full", write(full, "x", 1));
	close(full);
	int random = open("/dev/urandom", O_RDONLY);
	unsigned char r[32] = {0};
	CHECK("read /dev/urandom", read(random, r, sizeof r));
	int nonzero = 0;
	for (int i = 0; i < 32; i++)
		nonzero |= r[i];
	printf("random nonzero %d\n", nonzero != 0);
	close(random);
	FILE *f = fopen("/dev/null", "w");
	printf("fopen /dev/null %d, fprintf %d\n", f != NULL, f ? fprintf(f, "text %d", 42) : -1);
	if (f)
		fclose(f);
	CHECK("stat /dev/urandom", stat("/dev/urandom", &st));
	printf("urandom %u:%u\n", major(st.st_rdev), minor(st.st_rdev));
	DIR *dev = opendir("/dev");
	int listed = 0;
	struct dirent *entry;
	while (dev && (entry = readdir(dev)) != NULL)
		if (strcmp(entry->d_name, "null") == 0 || strcmp(entry->d_name, "zero") == 0)
			listed += entry->d_type == DT_CHR;
	if (dev)
		closedir(dev);
	printf("listed in /dev as devices %d\n", listed);
}

static long since_ns(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000000000L + (now.tv_nsec - start->tv_nsec);
}

static void timers_and_copies(void)
{
	puts("== timers, memfd, copies");
	int t = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	printf("timerfd_create %d\n", t >= 0);
	uint64_t count = 0;
	struct itimerspec its = { { 0, 0 }, { 0, 20000000 } };
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	int set = timerfd_settime(t, 0, &its, NULL);
	long got = read(t, &count, sizeof count);
	CHECK("timerfd_settime 20ms", set);
	CHECK("read timerfd (waits)", got);
	printf("expired once %d, after 20ms %d\n", count == 1, since_ns(&start) >= 20000000L);
	struct itimerspec now;
	CHECK("timerfd_gettime", timerfd_gettime(t, &now));
	printf("disarmed %d\n", now.it_value.tv_sec == 0 && now.it_value.tv_nsec == 0);
	fcntl(t, F_SETFL, O_NONBLOCK);
	CHECK("read disarmed", read(t, &count, sizeof count));
	struct itimerspec periodic = { { 0, 5000000 }, { 0, 5000000 } };
	CHECK("timerfd_settime periodic", timerfd_settime(t, 0, &periodic, NULL));
	struct pollfd pf = { t, POLLIN, 0 };
	CHECK("poll timerfd", poll(&pf, 1, 1000));
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 9 };
	epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev);
	CHECK("epoll_wait timerfd", epoll_wait(ep, &ev, 1, 1000));
	CHECK("read periodic", read(t, &count, sizeof count));
	printf("expirations >= 1 %d\n", count >= 1);
	CHECK("timerfd_gettime periodic", timerfd_gettime(t, &now));
	printf("interval 5ms %d, next within 5ms %d\n", now.it_interval.tv_nsec == 5000000,
	       now.it_value.tv_sec == 0 && now.it_value.tv_nsec <= 5000000);
	close(ep);
	close(t);
	CHECK("timerfd bad clock", timerfd_create(99, 0));
	int file = open("input.txt", O_RDONLY);
	CHECK("timerfd_settime on a file", timerfd_settime(file, 0, &its, NULL));
	int m = memfd_create("scratch", MFD_CLOEXEC);
	printf("memfd_create %d\n", m >= 0);
	CHECK("write memfd", write(m, "in memory!\n", 11));
	struct stat st;
	fstat(m, &st);
	printf("memfd size %ld regular %d\n", (long)st.st_size, S_ISREG(st.st_mode));
	lseek(m, 4, SEEK_SET);
	int available = -1;
	CHECK("FIONREAD file", ioctl(m, FIONREAD, &available));
	printf("available %d\n", available);
	close(m);
	int out = open("copy.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
	off_t in_at = 7;
	CHECK("copy_file_range", copy_file_range(file, &in_at, out, NULL, 100, 0));
	printf("input offset %ld, output position %ld\n", (long)in_at, (long)lseek(out, 0, SEEK_CUR));
	char text[32] = {0};
	pread(out, text, sizeof text - 1, 0);
	printf("copied [%s]\n", strtok(text, "\n"));
	close(out);
	unlink("copy.txt");
	close(file);
	int p[2];
	pipe(p);
	write(p[1], "12345", 5);
	CHECK("FIONREAD pipe", ioctl(p[0], FIONREAD, &available));
	printf("available %d\n", available);
	close(p[0]);
	close(p[1]);
	mkdir("sub", 0755);
	int d = open("sub", O_RDONLY | O_DIRECTORY);
	CHECK("fchdir", fchdir(d));
	char cwd[256];
	getcwd(cwd, sizeof cwd);
	printf("in sub %d\n", strcmp(cwd + strlen(cwd) - 4, "/sub") == 0);
	CHECK("chdir ..", chdir(".."));
	close(d);
	int f2 = open("input.txt", O_RDONLY);
	CHECK("fchdir to a file", fchdir(f2));
	close(f2);
	rmdir("sub");
}

static void machine(void)
{
	puts("== machine");
	cpu_set_t cpus;
	CHECK("sched_getaffinity", sched_getaffinity(0, sizeof cpus, &cpus));
	printf("cpus >= 1 %d\n", CPU_COUNT(&cpus) >= 1);
	printf("online cpus >= 1 %d\n", sysconf(_SC_NPROCESSORS_ONLN) >= 1);
	printf("sched_getcpu >= 0 %d\n", sched_getcpu() >= 0);
	struct sysinfo si;
	CHECK("sysinfo", sysinfo(&si));
	printf("ram > 1 MiB %d\n", (unsigned long long)si.totalram * si.mem_unit > (1u << 20));
	printf("free <= total %d\n", si.freeram <= si.totalram);
	struct rusage ru;
	CHECK("getrusage self", getrusage(RUSAGE_SELF, &ru));
	printf("maxrss > 0 %d\n", ru.ru_maxrss > 0);
	CHECK("getrusage children", getrusage(RUSAGE_CHILDREN, &ru));
	CHECK("getrusage bad", getrusage(5, &ru));
	struct tms t;
	printf("times ok %d\n", times(&t) != (clock_t)-1);
	printf("clock ok %d\n", clock() != (clock_t)-1);
	/* Not "positive": in a container whose group or session leader is outside its process
	 * namespace, Linux answers 0. */
	printf("getpgrp succeeds %d\n", getpgrp() >= 0);
	printf("getsid succeeds %d\n", getsid(0) >= 0);
	CHECK("wait4 (no children)", wait4(-1, NULL, WNOHANG, NULL));
	CHECK("prctl set name", prctl(PR_SET_NAME, "worker", 0, 0, 0));
	char name[16] = {0};
	CHECK("prctl get name", prctl(PR_GET_NAME, name, 0, 0, 0));
	printf("name %s\n", name);
	CHECK("prctl unknown", prctl(9999, 0, 0, 0, 0));
	errno = 0;
	int nice_now = getpriority(PRIO_PROCESS, 0);
	CHECK("setpriority nicer", setpriority(PRIO_PROCESS, 0, nice_now + 1));
	printf("nicer %d\n", getpriority(PRIO_PROCESS, 0) == nice_now + 1);
	printf("uid is euid %d\n", getuid() == geteuid());
	struct rlimit limit;
	CHECK("getrlimit NOFILE", getrlimit(RLIMIT_NOFILE, &limit));
	printf("descriptor limit finite %d\n", limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur >= 256);
	printf("open max finite %d\n", sysconf(_SC_OPEN_MAX) > 0 && sysconf(_SC_OPEN_MAX) < (1L << 24));
	CHECK("getrlimit bad resource", getrlimit(99, &limit));
}

static void names_and_aliases(void)
{
	puts("== names and aliases");
	struct passwd *pw = getpwnam("root");
	printf("root: uid %d, home %s\n", pw ? (int)pw->pw_uid : -1, pw ? pw->pw_dir : "-");
	pw = getpwnam("nobody");
	printf("nobody: uid %d\n", pw ? (int)pw->pw_uid : -1);
	pw = getpwuid(0);
	printf("uid 0: %s\n", pw ? pw->pw_name : "-");
	struct group *gr = getgrnam("root");
	printf("group root: gid %d\n", gr ? (int)gr->gr_gid : -1);
	printf("no such user %d\n", getpwnam("no-such-user") == NULL);
	fflush(stdout);
	int out = open("/dev/stdout", O_WRONLY);
	CHECK("write /dev/stdout", write(out, "through /dev/stdout\n", 20));
	close(out);
	out = open("/dev/fd/1", O_WRONLY | O_CLOEXEC);
	CHECK("write /dev/fd/1", write(out, "through /dev/fd/1\n", 18));
	close(out);
	CHECK("open /dev/fd/77", open("/dev/fd/77", O_RDONLY));
	struct stat st;
	CHECK("no /dev/stdout file made", stat("/dev/stdout", &st) == 0 && S_ISREG(st.st_mode));
}

static volatile int alarms;

static void on_alarm(int signal)
{
	(void)signal;
	alarms++;
}

/* Arms ITIMER_REAL: first expiry after `first_us`, then every `every_us` (0: once). */
static int arm(long first_us, long every_us)
{
	struct itimerval it = { { every_us / 1000000, every_us % 1000000 },
				{ first_us / 1000000, first_us % 1000000 } };
	return setitimer(ITIMER_REAL, &it, NULL);
}

static void interval_timers(void)
{
	puts("== interval timers");
	struct sigaction sa = { 0 };
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	CHECK("setitimer 1s", arm(1000000, 0));
	struct itimerval now;
	CHECK("getitimer", getitimer(ITIMER_REAL, &now));
	printf("armed within 1s %d, one-shot %d\n",
	       now.it_value.tv_sec * 1000000 + now.it_value.tv_usec > 0 &&
		       now.it_value.tv_sec * 1000000 + now.it_value.tv_usec <= 1000000,
	       now.it_interval.tv_sec == 0 && now.it_interval.tv_usec == 0);
	CHECK("setitimer off", arm(0, 0));
	CHECK("getitimer off", getitimer(ITIMER_REAL, &now));
	printf("disarmed %d\n", now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0);
	CHECK("setitimer bad which", setitimer(7, &now, NULL));
	struct itimerval bad = { { 0, 0 }, { 0, 2000000 } };
	CHECK("setitimer bad usec", setitimer(ITIMER_REAL, &bad, NULL));
	printf("alarm first %u\n", alarm(5));
	printf("alarm again %u\n", alarm(0));

	arm(20000, 0);
	CHECK("pause", pause());
	printf("after pause: alarms %d\n", alarms);
	arm(20000, 0);
	struct timespec nap = { 5, 0 }, left = { 0, 0 };
	CHECK("nanosleep 5s interrupted", nanosleep(&nap, &left));
	printf("alarms %d, time left between 4s and 5s %d\n", alarms, left.tv_sec == 4);
	arm(20000, 0);
	CHECK("poll interrupted", poll(NULL, 0, 5000));
	arm(20000, 0);
	int p[2];
	pipe(p);
	char c;
	CHECK("read empty pipe interrupted", read(p[0], &c, 1));
	close(p[0]);
	close(p[1]);
	printf("alarms %d\n", alarms);

	/* Periodic: a loop of calls sees the handler run at least three times. */
	arm(5000, 5000);
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (alarms < 7 && since_ns(&start) < 5000000000L)
		getppid();
	arm(0, 0);
	printf("periodic ran %d\n", alarms >= 7);

	/* sigsuspend: SIGALRM blocked, then waited for with an empty mask. */
	sigset_t block, old, during;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &old);
	int before = alarms;
	arm(10000, 0);
	nap.tv_sec = 0;
	nap.tv_nsec = 30000000;
	CHECK("nanosleep while blocked", nanosleep(&nap, NULL));
	printf("ran while blocked %d\n", alarms != before);
	sigemptyset(&during);
	CHECK("sigsuspend", sigsuspend(&during));
	printf("ran in sigsuspend %d\n", alarms == before + 1);
	/* ppoll and pselect wait with the mask they are given, then put the old one back. */
	before = alarms;
	arm(10000, 0);
	struct timespec second = { 1, 0 };
	CHECK("ppoll, alarm unblocked", ppoll(NULL, 0, &second, &during));
	printf("ran in ppoll %d\n", alarms == before + 1);
	arm(10000, 0);
	CHECK("pselect, alarm unblocked", pselect(0, NULL, NULL, NULL, &second, &during));
	printf("ran in pselect %d\n", alarms == before + 2);
	sigset_t after;
	sigprocmask(SIG_SETMASK, &old, &after);
	printf("mask restored %d\n", sigismember(&after, SIGALRM));

	/* An ignored timer signal interrupts nothing. */
	signal(SIGALRM, SIG_IGN);
	arm(10000, 0);
	CHECK("nanosleep, ignored alarm", nanosleep(&nap, NULL));
	signal(SIGALRM, SIG_DFL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	memory();
	files();
	console();
	waiting();
	channels();
	timing();
	process();
	attributes();
	socket_pairs();
	devices();
	timers_and_copies();
	machine();
	interval_timers();
	names_and_aliases();
	puts("== done");
	return 0;
}

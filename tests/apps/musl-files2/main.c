/* Files beyond open/read/write, compared with Linux: hard links, symbolic links, renameat2,
 * POSIX shared memory and named semaphores (/dev/shm), file times (separate, nanoseconds,
 * UTIME_NOW/UTIME_OMIT, relatime, O_NOATIME) and stat fields as tmpfs fills them.
 *
 * Everything happens in a fresh directory under /dev/shm (tmpfs on Linux, the RAM filesystem
 * on a unikernel), so the reference does not depend on the file system the test runs from.
 * Only filesystem-independent facts are printed: relations and error names, never inode
 * numbers or absolute times. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif

static const char *err_name(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case EACCES: return "EACCES";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case ERANGE: return "ERANGE";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ELOOP: return "ELOOP";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return "E?";
	}
}

/* Prints what a call returned: "ok" or its errno's name. */
static void show(const char *what, long r)
{
	printf("%s: %s\n", what, r < 0 ? err_name(errno) : "ok");
}

static void fact(const char *what, int truth)
{
	printf("%s: %d\n", what, truth ? 1 : 0);
}

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		printf("put %s: %s\n", path, err_name(errno));
		exit(1);
	}
	close(fd);
}

/* The contents of `path` (up to 63 bytes), or the error's name. */
static const char *get(const char *path)
{
	static char buf[64];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return err_name(errno);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static struct stat st(const char *path)
{
	struct stat s;
	memset(&s, 0, sizeof s);
	if (lstat(path, &s) < 0)
		printf("lstat %s: %s\n", path, err_name(errno));
	return s;
}

static int ts_cmp(struct timespec a, struct timespec b)
{
	if (a.tv_sec != b.tv_sec)
		return a.tv_sec < b.tv_sec ? -1 : 1;
	if (a.tv_nsec != b.tv_nsec)
		return a.tv_nsec < b.tv_nsec ? -1 : 1;
	return 0;
}

static int ts_eq(struct timespec a, long sec, long nsec)
{
	return a.tv_sec == sec && a.tv_nsec == nsec;
}

/* Whether `t` is within a few seconds of now. */
static int recent(struct timespec t)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	long d = (long)(now.tv_sec - t.tv_sec);
	return d >= -2 && d <= 5;
}

/* A pause long enough for a coarse file clock to move on. */
static void pause_a_little(void)
{
	struct timespec t = {0, 30 * 1000 * 1000};
	nanosleep(&t, 0);
}

static int set_times(const char *path, long as, long ans, long ms, long mns)
{
	struct timespec t[2] = {{as, ans}, {ms, mns}};
	return utimensat(AT_FDCWD, path, t, 0);
}

static void links(void)
{
	printf("== hard links\n");
	put("a", "hello");
	show("link a b", link("a", "b"));
	struct stat sa = st("a"), sb = st("b");
	fact("same inode", sa.st_ino == sb.st_ino);
	printf("nlink: %ld\n", (long)sb.st_nlink);
	put("b", "through b");
	printf("a reads: %s\n", get("a"));
	show("link a b again", link("a", "b"));
	show("link missing c", link("missing", "c"));
	show("link . d", link(".", "d"));
	show("link a nodir/x", link("a", "nodir/x"));
	show("unlink a", unlink("a"));
	printf("b nlink after unlink a: %ld\n", (long)st("b").st_nlink);
	int fd = open("b", O_RDWR);
	show("unlink b while open", unlink("b"));
	struct stat sf;
	fstat(fd, &sf);
	printf("open unlinked nlink: %ld\n", (long)sf.st_nlink);
	char buf[32] = {0};
	pwrite(fd, "still here", 10, 0);
	pread(fd, buf, 10, 0);
	printf("open unlinked reads: %s\n", buf);
	printf("b after unlink: %s\n", get("b"));
	close(fd);

	put("target", "T");
	symlink("target", "sym");
	show("linkat sym nofollow", linkat(AT_FDCWD, "sym", AT_FDCWD, "hsym", 0));
	fact("hard link of the link is a link", S_ISLNK(st("hsym").st_mode));
	show("linkat sym follow", linkat(AT_FDCWD, "sym", AT_FDCWD, "hfile", AT_SYMLINK_FOLLOW));
	fact("followed hard link is the file", st("hfile").st_ino == st("target").st_ino);
	show("linkat bad flag", linkat(AT_FDCWD, "target", AT_FDCWD, "x", 0x8000));
	printf("target nlink: %ld\n", (long)st("target").st_nlink);
	unlink("hsym");
	unlink("hfile");
	unlink("sym");
	unlink("target");
}

static void symlinks(void)
{
	char buf[64];
	printf("== symbolic links\n");
	mkdir("sub", 0755);
	put("sub/f", "in sub");
	show("symlink sub ls", symlink("sub", "ls"));
	show("symlink again", symlink("sub", "ls"));
	show("symlink empty target", symlink("", "empty"));
	printf("ls/f reads: %s\n", get("ls/f"));
	long n = readlink("ls", buf, sizeof buf);
	printf("readlink ls: %ld %.*s\n", n, (int)(n > 0 ? n : 0), buf);
	memset(buf, '#', sizeof buf);
	n = readlink("ls", buf, 2);
	printf("readlink ls size 2: %ld %.3s\n", n, buf);
	show("readlink file", readlink("sub/f", buf, sizeof buf));
	show("readlink missing", readlink("nothing", buf, sizeof buf));
	show("readlink through link", readlink("ls/f", buf, sizeof buf));
	struct stat l = st("ls"), s;
	stat("ls", &s);
	fact("lstat is a link", S_ISLNK(l.st_mode));
	printf("link size: %ld, mode %o\n", (long)l.st_size, l.st_mode & 07777);
	fact("stat follows to a directory", S_ISDIR(s.st_mode));

	char cwd[256], abs[300];
	getcwd(cwd, sizeof cwd);
	snprintf(abs, sizeof abs, "%s/sub/f", cwd);
	symlink(abs, "abs");
	printf("absolute target reads: %s\n", get("abs"));

	/* `..` after a link is physical: from where the link led. */
	mkdir("deep", 0755);
	mkdir("deep/inner", 0755);
	put("deep/marker", "m");
	symlink("deep/inner", "li");
	printf("li/../marker reads: %s\n", get("li/../marker"));
	show("chdir li", chdir("li"));
	getcwd(buf, sizeof buf);
	fact("getcwd after chdir through a link is physical", strstr(buf, "/deep/inner") != 0);
	chdir(cwd);

	symlink("loop1", "loop2");
	symlink("loop2", "loop1");
	show("open loop", open("loop1", O_RDONLY));
	show("stat loop", stat("loop1", &s));
	show("lstat loop", lstat("loop1", &s));
	/* c0 -> c1 -> ... -> c40 -> file: 40 links resolve, 41 do not. */
	put("c41", "end of chain");
	for (int i = 0; i <= 40; i++) {
		char from[16], to[16];
		snprintf(from, sizeof from, "c%d", i);
		snprintf(to, sizeof to, "c%d", i + 1);
		symlink(to, from);
	}
	printf("40 links: %s\n", get("c1"));
	printf("41 links: %s\n", get("c0"));
	show("O_NOFOLLOW on a link", open("ls", O_RDONLY | O_NOFOLLOW));
	int fd = open("sub/f", O_RDONLY | O_NOFOLLOW);
	show("O_NOFOLLOW on a file", fd);
	close(fd);
	show("O_NOFOLLOW on a link in the middle", fd = open("ls/f", O_RDONLY | O_NOFOLLOW));
	close(fd);

	symlink("created", "dangling");
	show("stat dangling", stat("dangling", &s));
	show("O_CREAT|O_EXCL on dangling", open("dangling", O_WRONLY | O_CREAT | O_EXCL, 0644));
	fd = open("dangling", O_WRONLY | O_CREAT, 0644);
	show("O_CREAT through dangling", fd);
	close(fd);
	fact("created the target", access("created", F_OK) == 0);

	show("path through a file", open("sub/f/x", O_RDONLY));
	show("stat file/", stat("sub/f/", &s));
	show("mkdir through a file", mkdir("sub/f/d", 0755));
	show("link/ is the directory", stat("ls/", &s));

	/* AT_SYMLINK_NOFOLLOW: the link itself. */
	struct timespec t[2] = {{1000, 0}, {2000, 5}};
	show("utimensat nofollow", utimensat(AT_FDCWD, "ls", t, AT_SYMLINK_NOFOLLOW));
	fact("link mtime set", ts_eq(st("ls").st_mtim, 2000, 5));
	fact("target mtime untouched", !ts_eq(st("sub").st_mtim, 2000, 5));
	show("fchownat nofollow", fchownat(AT_FDCWD, "ls", 0, 0, AT_SYMLINK_NOFOLLOW));
	show("fchmodat nofollow on a link", fchmodat(AT_FDCWD, "ls", 0700, AT_SYMLINK_NOFOLLOW));
	show("fchmodat nofollow on a file", fchmodat(AT_FDCWD, "sub/f", 0600, AT_SYMLINK_NOFOLLOW));
	printf("mode after: %o\n", st("sub/f").st_mode & 07777);
	int pfd = open("sub/f", O_RDONLY);
	char fdpath[64];
	snprintf(fdpath, sizeof fdpath, "/dev/fd/%d", pfd);
	stat(fdpath, &s);
	fact("stat /dev/fd/N is the file", s.st_ino == st("sub/f").st_ino);
	close(pfd);
	show("lchown", lchown("ls", 0, 0));
	fstatat(AT_FDCWD, "ls", &s, AT_SYMLINK_NOFOLLOW);
	fact("fstatat nofollow is a link", S_ISLNK(s.st_mode));

	/* O_PATH on a link, then readlinkat and fstat on it. */
	fd = open("ls", O_PATH | O_NOFOLLOW);
	show("O_PATH|O_NOFOLLOW", fd);
	fstat(fd, &s);
	fact("O_PATH fstat is the link", S_ISLNK(s.st_mode));
	n = readlinkat(fd, "", buf, sizeof buf);
	printf("readlinkat(fd, \"\"): %ld %.*s\n", n, (int)(n > 0 ? n : 0), buf);
	show("read on O_PATH", read(fd, buf, 1));
	close(fd);

	DIR *d = opendir(".");
	struct dirent *e;
	int link_type = -1, dir_type = -1, file_type = -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, "ls"))
			link_type = e->d_type;
		if (!strcmp(e->d_name, "sub"))
			dir_type = e->d_type;
		if (!strcmp(e->d_name, "c41"))
			file_type = e->d_type;
	}
	closedir(d);
	fact("readdir: link DT_LNK", link_type == DT_LNK);
	fact("readdir: dir DT_DIR", dir_type == DT_DIR);
	fact("readdir: file DT_REG", file_type == DT_REG);

	show("unlink link", unlink("ls"));
	fact("target kept", access("sub/f", F_OK) == 0);
}

static long rename2(const char *from, const char *to, unsigned flags)
{
	return syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
}

static void renames(void)
{
	printf("== rename\n");
	put("r1", "one");
	put("r2", "two");
	int fd = open("r1", O_RDONLY);
	show("rename r1 r2", rename("r1", "r2"));
	printf("r2 reads: %s\n", get("r2"));
	printf("r1 reads: %s\n", get("r1"));
	char buf[8] = {0};
	read(fd, buf, 3);
	printf("open across rename reads: %s\n", buf);
	close(fd);
	link("r2", "r3");
	show("rename onto a hard link of itself", rename("r2", "r3"));
	fact("both names stay", access("r2", F_OK) == 0 && access("r3", F_OK) == 0);
	put("r4", "four");
	show("NOREPLACE onto existing", rename2("r4", "r3", RENAME_NOREPLACE));
	show("NOREPLACE onto new", rename2("r4", "r5", RENAME_NOREPLACE));
	show("EXCHANGE", rename2("r5", "r3", RENAME_EXCHANGE));
	printf("after exchange r3: %s\n", get("r3"));
	printf("after exchange r5: %s\n", get("r5"));
	show("EXCHANGE with missing", rename2("r5", "r6", RENAME_EXCHANGE));
	show("NOREPLACE|EXCHANGE", rename2("r5", "r3", RENAME_NOREPLACE | RENAME_EXCHANGE));
	show("unknown flag", rename2("r5", "r3", 1u << 7));
	show("missing source", rename("nothing", "r9"));

	mkdir("d1", 0755);
	mkdir("d1/in", 0755);
	mkdir("d2", 0755);
	mkdir("full", 0755);
	put("full/x", "x");
	show("dir into its own subtree", rename("d1", "d1/in/d1"));
	show("dir over a file", rename("d1", "r3"));
	show("file over a dir", rename("r3", "d2"));
	show("dir over a non-empty dir", rename("d1", "full"));
	show("dir over an empty dir", rename("d1", "d2"));
	fact("moved with its contents", access("d2/in", F_OK) == 0 && access("d1", F_OK) < 0);
	show("EXCHANGE a dir and a file", rename2("d2", "r3", RENAME_EXCHANGE));
	fact("exchanged kinds", S_ISREG(st("d2").st_mode) && S_ISDIR(st("r3").st_mode));
	show("rename file/", rename("r5/", "r7"));
	show("rename . ", rename(".", "r8"));
	show("rmdir non-empty", rmdir("full"));
	show("rmdir a file", rmdir("r5"));
	show("unlink a dir", unlink("full"));
	show("unlink file/", unlink("r5/"));
}

static void shared_memory(void)
{
	char name[64];
	printf("== /dev/shm\n");
	struct stat s;
	stat("/dev/shm", &s);
	printf("/dev/shm: dir %d mode %o\n", S_ISDIR(s.st_mode), s.st_mode & 07777);
	snprintf(name, sizeof name, "/ukl-files2-shm-%d", getpid());
	int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	show("shm_open create", fd);
	show("shm_open exclusive again", shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600));
	show("ftruncate 8192", ftruncate(fd, 8192));
	char *p1 = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *p2 = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	fact("mapped", p1 != MAP_FAILED && p2 != MAP_FAILED);
	strcpy(p1 + 4100, "through p1");
	printf("p2 sees: %s\n", p2 + 4100);
	char buf[32] = {0};
	pread(fd, buf, 10, 4100);
	printf("read sees: %s\n", buf);
	pwrite(fd, "by write", 9, 100);
	printf("mapping sees write: %s\n", p1 + 100);
	show("msync", msync(p1, 8192, MS_SYNC));
	fstat(fd, &s);
	printf("size: %ld\n", (long)s.st_size);
	int fd2 = shm_open(name, O_RDWR, 0);
	show("shm_open existing", fd2);
	char *p3 = mmap(0, 4096, PROT_READ, MAP_SHARED, fd2, 4096);
	printf("offset mapping sees: %s\n", p3 == MAP_FAILED ? "MAP_FAILED" : p3 + 4);
	int ro = shm_open(name, O_RDONLY, 0);
	show("PROT_WRITE shared of a read-only descriptor",
	     (long)mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == -1 ? -1 : 0);
	show("mmap offset not page-aligned",
	     (long)mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 100) == -1 ? -1 : 0);
	char *priv = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	strcpy(priv + 100, "private!");
	printf("private copy does not write back: %s\n", p1 + 100);
	munmap(priv, 8192);
	close(ro);
	show("shm_unlink", shm_unlink(name));
	show("shm_open after unlink", shm_open(name, O_RDWR, 0));
	show("shm_unlink again", shm_unlink(name));
	strcpy(p2, "after unlink");
	printf("mapping lives after unlink: %s\n", p1);
	show("munmap p1", munmap(p1, 8192));
	show("munmap p2", munmap(p2, 8192));
	if (p3 != MAP_FAILED)
		munmap(p3, 4096);
	close(fd);
	close(fd2);

	printf("== named semaphores\n");
	snprintf(name, sizeof name, "/ukl-files2-sem-%d", getpid());
	sem_t *a = sem_open(name, O_CREAT | O_EXCL, 0600, 2);
	fact("sem_open create", a != SEM_FAILED);
	errno = 0;
	sem_t *again = sem_open(name, O_CREAT | O_EXCL, 0600, 2);
	printf("sem_open exclusive again: %s\n", again == SEM_FAILED ? err_name(errno) : "ok");
	int v = -1;
	sem_getvalue(a, &v);
	printf("value: %d\n", v);
	/* The semaphore is a file in /dev/shm (musl names it as given): a mapping of it of our
	 * own aliases musl's. */
	char path[128];
	snprintf(path, sizeof path, "/dev/shm/%s", name + 1);
	int sfd = open(path, O_RDWR);
	show("the semaphore's file", sfd);
	sem_t *mine = mmap(0, sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	close(sfd);
	show("sem_post", sem_post(a));
	sem_getvalue(mine, &v);
	printf("value through another mapping: %d\n", v);
	show("sem_wait via the other mapping", sem_wait(mine));
	sem_getvalue(a, &v);
	printf("value: %d\n", v);
	sem_t *b = sem_open(name, 0);
	fact("sem_open existing", b != SEM_FAILED);
	show("sem_wait", sem_wait(b));
	show("sem_wait", sem_wait(a));
	show("sem_trywait at 0", sem_trywait(a));
	struct timespec past;
	clock_gettime(CLOCK_REALTIME, &past);
	past.tv_nsec = (past.tv_nsec + 20 * 1000 * 1000) % 1000000000;
	if (past.tv_nsec < 20 * 1000 * 1000)
		past.tv_sec++;
	show("sem_timedwait at 0", sem_timedwait(a, &past));
	munmap(mine, sizeof(sem_t));
	show("sem_close", sem_close(a));
	if (b != a)
		sem_close(b);
	show("sem_unlink", sem_unlink(name));
	errno = 0;
	sem_t *gone = sem_open(name, 0);
	printf("sem_open after unlink: %s\n", gone == SEM_FAILED ? err_name(errno) : "ok");
	show("sem_unlink again", sem_unlink(name));
}

static void times(void)
{
	struct stat s, before;
	printf("== times\n");
	close(open("t", O_WRONLY | O_CREAT, 0644));
	s = st("t");
	put("t", "x");
	fact("new file: atime == mtime == ctime",
	     !ts_cmp(s.st_atim, s.st_mtim) && !ts_cmp(s.st_mtim, s.st_ctim));
	fact("new file times recent", recent(s.st_mtim));
	show("utimensat both", set_times("t", 1000, 123456789, 2000, 987654321));
	s = st("t");
	fact("atime ns kept", ts_eq(s.st_atim, 1000, 123456789));
	fact("mtime ns kept", ts_eq(s.st_mtim, 2000, 987654321));
	fact("ctime moved to now", recent(s.st_ctim));
	show("UTIME_OMIT atime", set_times("t", 0, UTIME_OMIT, 3000, 1));
	s = st("t");
	fact("atime unchanged", ts_eq(s.st_atim, 1000, 123456789));
	fact("mtime set", ts_eq(s.st_mtim, 3000, 1));
	show("UTIME_NOW atime", set_times("t", 5, UTIME_NOW, 0, UTIME_OMIT));
	s = st("t");
	fact("atime now", recent(s.st_atim));
	fact("mtime unchanged", ts_eq(s.st_mtim, 3000, 1));
	show("both omitted on a missing file", set_times("missing", 0, UTIME_OMIT, 0, UTIME_OMIT));
	show("bad nanoseconds", set_times("t", 0, 1000000000, 0, 0));
	show("negative nanoseconds", set_times("t", 0, -1, 0, 0));
	show("utimensat bad flag", utimensat(AT_FDCWD, "t", 0, 0x8000));
	show("utimensat missing", set_times("missing", 1, 0, 1, 0));
	show("utimensat NULL times", utimensat(AT_FDCWD, "t", 0, 0));
	s = st("t");
	fact("NULL times: both now", recent(s.st_atim) && recent(s.st_mtim));

	int fd = open("t", O_RDWR);
	struct timespec ft[2] = {{7000, 7}, {8000, 8}};
	show("futimens", futimens(fd, ft));
	s = st("t");
	fact("futimens set both", ts_eq(s.st_atim, 7000, 7) && ts_eq(s.st_mtim, 8000, 8));
	struct timeval tv[2] = {{100, 500000}, {200, 250000}};
	show("utimes", utimes("t", tv));
	s = st("t");
	fact("utimes microseconds", ts_eq(s.st_atim, 100, 500000000) &&
	     ts_eq(s.st_mtim, 200, 250000000));
	struct utimbuf ub = {300, 400};
	show("utime", utime("t", &ub));
	s = st("t");
	fact("utime seconds", ts_eq(s.st_atim, 300, 0) && ts_eq(s.st_mtim, 400, 0));

	/* relatime: a read moves an atime that is not after mtime and ctime, and only that. */
	char c;
	set_times("t", 1000, 0, 2000, 0);
	pread(fd, &c, 1, 0);
	fact("read moved a stale atime", recent(st("t").st_atim));
	struct timespec future;
	clock_gettime(CLOCK_REALTIME, &future);
	future.tv_sec += 3600;
	struct timespec ahead[2] = {future, {2000, 0}};
	utimensat(AT_FDCWD, "t", ahead, 0);
	pread(fd, &c, 1, 0);
	fact("relatime kept an atime after mtime and ctime", !ts_cmp(st("t").st_atim, future));
	close(fd);
	set_times("t", 1000, 0, 2000, 0);
	fd = open("t", O_RDONLY | O_NOATIME);
	show("O_NOATIME", fd);
	read(fd, &c, 1);
	fact("O_NOATIME read kept atime", ts_eq(st("t").st_atim, 1000, 0));
	close(fd);

	fd = open("t", O_WRONLY);
	write(fd, "y", 1);
	s = st("t");
	fact("write: mtime and ctime now, atime kept",
	     recent(s.st_mtim) && recent(s.st_ctim) && ts_eq(s.st_atim, 1000, 0));
	set_times("t", 1000, 0, 2000, 0);
	ftruncate(fd, 0);
	s = st("t");
	fact("ftruncate: mtime now", recent(s.st_mtim));
	close(fd);

	set_times("t", 1000, 0, 2000, 0);
	before = st("t");
	pause_a_little();
	chmod("t", 0600);
	s = st("t");
	fact("chmod: ctime moved, mtime kept",
	     ts_cmp(s.st_ctim, before.st_ctim) > 0 && ts_eq(s.st_mtim, 2000, 0));
	before = s;
	pause_a_little();
	link("t", "t2");
	s = st("t");
	fact("link: ctime moved, mtime kept",
	     ts_cmp(s.st_ctim, before.st_ctim) > 0 && ts_eq(s.st_mtim, 2000, 0));
	before = s;
	pause_a_little();
	rename("t2", "t3");
	s = st("t");
	fact("rename: ctime moved", ts_cmp(s.st_ctim, before.st_ctim) > 0);
	before = s;
	pause_a_little();
	unlink("t3");
	s = st("t");
	fact("unlink of another name: ctime moved", ts_cmp(s.st_ctim, before.st_ctim) > 0);
	mkdir("tdir", 0755);
	set_times("tdir", 1000, 0, 2000, 0);
	put("tdir/new", "n");
	fact("a new entry moves the directory's mtime", recent(st("tdir").st_mtim));
}

static void errors_and_stat(void)
{
	struct stat s;
	printf("== errors\n");
	put("file", "content");
	show("open file/x", open("file/x", O_RDONLY));
	show("open file/", open("file/", O_RDONLY));
	show("creat file/x", open("file/x", O_CREAT | O_WRONLY, 0644));
	char name[300];
	memset(name, 'n', 256);
	name[256] = 0;
	show("256-byte name", open(name, O_RDONLY));
	show("256-byte name, O_CREAT", open(name, O_CREAT | O_WRONLY, 0644));
	name[255] = 0;
	show("255-byte name", open(name, O_RDONLY));
	int fd = open(name, O_CREAT | O_WRONLY, 0644);
	show("255-byte name, O_CREAT", fd);
	close(fd);
	unlink(name);
	mkdir("dir", 0755);
	show("open dir O_WRONLY", open("dir", O_WRONLY));
	show("open dir O_RDWR", open("dir", O_RDWR));
	show("open dir O_CREAT", open("dir", O_RDONLY | O_CREAT, 0644));
	show("open file O_DIRECTORY", open("file", O_RDONLY | O_DIRECTORY));
	show("newfile/ O_CREAT", open("newfile/", O_CREAT | O_WRONLY, 0644));
	show("O_TMPFILE read-only", open(".", O_TMPFILE | O_RDONLY, 0600));
	show("O_TMPFILE in a file", open("file", O_TMPFILE | O_RDWR, 0600));
	fd = open(".", O_TMPFILE | O_RDWR | O_EXCL, 0600);
	show("O_TMPFILE", fd);
	char tmp[8] = {0};
	pwrite(fd, "anon", 4, 0);
	pread(fd, tmp, 4, 0);
	fstat(fd, &s);
	printf("O_TMPFILE file: nlink %ld reads %s\n", (long)s.st_nlink, tmp);
	show("linkat of an O_EXCL temporary file", linkat(fd, "", AT_FDCWD, "named", AT_EMPTY_PATH));
	close(fd);

	fd = open("appended", O_RDWR | O_CREAT | O_APPEND, 0644);
	write(fd, "abc", 3);
	pwrite(fd, "XY", 2, 0);
	char app[8] = {0};
	pread(fd, app, 7, 0);
	printf("pwrite with O_APPEND appends: %s\n", app);
	close(fd);
	mkdir("special", 07777);
	printf("mkdir 07777 with umask 022: %o\n", st("special").st_mode & 07777);

	printf("== stat\n");
	mkdir("sdir", 0755);
	put("sdir/f1", "1");
	put("sdir/f2", "2");
	struct stat a = st("sdir/f1"), b = st("sdir/f2");
	fact("st_dev non-zero and shared", a.st_dev != 0 && a.st_dev == b.st_dev);
	fact("st_ino unique", a.st_ino != b.st_ino);
	printf("st_blksize: %ld\n", (long)a.st_blksize);
	printf("empty dir nlink: %ld\n", (long)st("dir").st_nlink);
	mkdir("dir/x", 0755);
	mkdir("dir/y", 0755);
	put("dir/file", "not a subdirectory");
	printf("dir nlink with 2 subdirectories: %ld\n", (long)st("dir").st_nlink);
	rmdir("dir/x");
	printf("after rmdir: %ld\n", (long)st("dir").st_nlink);
	fd = open("blocks", O_RDWR | O_CREAT, 0644);
	fstat(fd, &s);
	printf("empty file blocks: %ld\n", (long)s.st_blocks);
	write(fd, "0123456789", 10);
	fstat(fd, &s);
	printf("10 bytes: size %ld blocks %ld\n", (long)s.st_size, (long)s.st_blocks);
	char page[5000];
	memset(page, 'p', sizeof page);
	pwrite(fd, page, sizeof page, 0);
	fstat(fd, &s);
	printf("5000 bytes: size %ld blocks %ld\n", (long)s.st_size, (long)s.st_blocks);
	ftruncate(fd, 100000);
	fstat(fd, &s);
	printf("grown by ftruncate: size %ld blocks %ld\n", (long)s.st_size, (long)s.st_blocks);
	pwrite(fd, "z", 1, 50000);
	fstat(fd, &s);
	printf("one byte in the hole: blocks %ld\n", (long)s.st_blocks);
	printf("SEEK_DATA from 8192: %ld\n", (long)lseek(fd, 8192, SEEK_DATA));
	printf("SEEK_HOLE from 49152: %ld\n", (long)lseek(fd, 49152, SEEK_HOLE));
	printf("SEEK_HOLE from 100: %ld\n", (long)lseek(fd, 100, SEEK_HOLE));
	errno = 0;
	long at = lseek(fd, 60000, SEEK_DATA);
	printf("SEEK_DATA after the last data: %ld %s\n", at, errno == ENXIO ? "ENXIO" : "?");
	errno = 0;
	at = lseek(fd, 100000, SEEK_HOLE);
	printf("SEEK_HOLE at the end: %ld %s\n", at, errno == ENXIO ? "ENXIO" : "?");
	ftruncate(fd, 10);
	fstat(fd, &s);
	printf("shrunk: size %ld blocks %ld\n", (long)s.st_size, (long)s.st_blocks);
	close(fd);
	symlink("sdir/f1", "slink");
	s = st("slink");
	printf("symlink: size %ld blocks %ld nlink %ld\n", (long)s.st_size, (long)s.st_blocks,
	       (long)s.st_nlink);
	show("mknod regular", mknod("node", S_IFREG | 0640, 0));
	s = st("node");
	printf("mknod regular: reg %d mode %o size %ld\n", S_ISREG(s.st_mode), s.st_mode & 07777,
	       (long)s.st_size);
	show("mknod again", mknod("node", S_IFREG | 0640, 0));
	show("mknod type 0", mknod("node0", 0600, 0));
	fact("type 0 is a regular file", S_ISREG(st("node0").st_mode));
	show("mknod bad type", mknod("nodex", 0170000 | 0600, 0));
	stat("/dev/null", &s);
	printf("/dev/null: chr %d rdev %u,%u\n", S_ISCHR(s.st_mode), major(s.st_rdev),
	       minor(s.st_rdev));
}

/* Removes what the test made under `path`. */
static void remove_tree(const char *path)
{
	struct stat s;
	if (lstat(path, &s) < 0)
		return;
	if (S_ISDIR(s.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char child[1024];
			snprintf(child, sizeof child, "%s/%s", path, e->d_name);
			remove_tree(child);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* `initrd` mode: the links of the tree the test packs (data/hello and data/hard one inode,
 * data/link -> hello, data/up -> ../data), as an initrd brings them or as Linux has them. */
static int initrd_links(void)
{
	char buf[64];
	printf("== initrd links\n");
	long n = readlink("data/link", buf, sizeof buf);
	printf("readlink data/link: %.*s\n", (int)(n > 0 ? n : 0), buf);
	printf("data/link reads: %s", get("data/link"));
	printf("data/up/hard reads: %s", get("data/up/hard"));
	fact("data/link is a link", S_ISLNK(st("data/link").st_mode));
	struct stat a = st("data/hello"), b = st("data/hard");
	fact("hello and hard are one inode", a.st_ino == b.st_ino);
	printf("nlink: %ld\n", (long)a.st_nlink);
	put("data/hard", "changed\n");
	printf("hello after writing hard: %s", get("data/hello"));
	DIR *d = opendir("data");
	struct dirent *e;
	while ((e = readdir(d)))
		if (!strcmp(e->d_name, "up"))
			fact("readdir: up is DT_LNK", e->d_type == DT_LNK);
	closedir(d);
	printf("== done\n");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, 0, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "initrd"))
		return initrd_links();
	umask(022);
	char dir[] = "/dev/shm/ukl-files2-XXXXXX";
	if (!mkdtemp(dir)) {
		printf("mkdtemp in /dev/shm: %s\n", err_name(errno));
		return 1;
	}
	char cwd[256];
	if (chdir(dir) < 0 || !getcwd(cwd, sizeof cwd)) {
		printf("chdir: %s\n", err_name(errno));
		return 1;
	}
	links();
	symlinks();
	renames();
	shared_memory();
	times();
	errors_and_stat();
	chdir("/");
	remove_tree(dir);
	struct stat s;
	fact("cleaned up", lstat(dir, &s) < 0 && errno == ENOENT);
	printf("== done\n");
	return 0;
}

/* Buffers a call may not use: read into and write from a null pointer, a PROT_NONE page and
 * (for reads) a PROT_READ page, readv/writev/pread/pwrite likewise, getcwd into a read-only
 * page; each fails with EFAULT, as on Linux, and the program carries on. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *result(long r) {
    static char text[32];
    if (r >= 0) {
        snprintf(text, sizeof text, "%ld", r);
        return text;
    }
    return errno == EFAULT ? "EFAULT" : errno == EBADF ? "EBADF" : "other error";
}

int main(void) {
    int fd = open("efault.txt", O_CREAT | O_RDWR | O_TRUNC, 0600);
    write(fd, "some bytes to read back\n", 24);
    char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *readonly = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    lseek(fd, 0, SEEK_SET);
    printf("read into NULL: %s\n", result(read(fd, NULL, 10)));
    printf("read into PROT_NONE: %s\n", result(read(fd, none, 10)));
    printf("read into PROT_READ: %s\n", result(read(fd, readonly, 10)));
    printf("pread into PROT_NONE: %s\n", result(pread(fd, none, 10, 0)));
    printf("write from NULL: %s\n", result(write(fd, NULL, 10)));
    printf("write from PROT_NONE: %s\n", result(write(fd, none, 10)));
    printf("write from PROT_READ: %s\n", result(write(fd, readonly, 10)));
    printf("pwrite from NULL: %s\n", result(pwrite(fd, NULL, 10, 0)));
    struct iovec bad = {none, 10};
    printf("readv into PROT_NONE: %s\n", result(readv(fd, &bad, 1)));
    printf("writev from PROT_NONE: %s\n", result(writev(fd, &bad, 1)));
    printf("write to a bad descriptor from NULL: %s\n", result(write(99, NULL, 10)));
    printf("getcwd into PROT_READ: %s\n", getcwd(readonly, 100) ? "ok" : result(-1));
    char good[32] = {0};
    printf("still readable: %s\n", result(pread(fd, good, 10, 0)));
    printf("%s\n", good);
    close(fd);
    unlink("efault.txt");
    return 0;
}

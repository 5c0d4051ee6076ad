/* musl's abort() on ukl: a crash report naming SIGABRT, never musl's a_crash() `hlt`. Also
 * checks that an unimplemented system call returns ENOSYS and is logged once by name. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	for (int i = 0; i < 3; i++) {
		long r = syscall(SYS_acct, "x");
		printf("acct: %ld %s\n", r, errno == ENOSYS ? "ENOSYS" : "other");
	}
	if (argc > 1) {
		printf("aborting\n");
		fflush(stdout);
		abort();
	}
	return 0;
}

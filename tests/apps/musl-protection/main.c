/* Memory protection test: each mode makes one stray access that Linux stops with SIGSEGV and
 * that a ukl guest must stop with a crash report (status 127), or, for "jit", writes code into
 * an mmap'd buffer, makes it executable with mprotect and runs it.
 *   null          read through a null pointer
 *   write-code    write over the program's own code
 *   exec-heap     call a malloc'd buffer holding a `ret`
 *   stack         unbounded recursion in the main thread
 *   thread-stack  unbounded recursion in a second thread
 *   write-rodata  write to an mmap'd page after mprotect(PROT_READ)
 *   unmapped      touch the second page of a mapping after munmap of that page
 *   jit           mmap RW, write `mov eax, 42; ret`, mprotect R+X, call: prints 42
 *   mremap        mprotect(PROT_READ) a page, grow it with mremap (moved): the data is there and
 *                 a write faults: the protection moved with it
 *   pieces        4096 times: mmap 256 KiB, munmap it in two halves (1 GiB in all, more than the
 *                 guest's memory): every unmapped piece must return to the allocator */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int (*volatile sink)(void);
/* Zero, read at run time: the compiler cannot see the null pointer (and emit `ud2`). */
static volatile unsigned long null_address;

__attribute__((noinline)) static int read_null(volatile int *pointer)
{
	return *pointer;
}

__attribute__((noinline)) static unsigned long recurse(volatile unsigned long depth)
{
	volatile char pad[512];
	pad[0] = (char)depth;
	return recurse(depth + 1) + pad[0];
}

static void *thread_main(void *arg)
{
	(void)arg;
	printf("thread: %lu\n", recurse(0));
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	volatile int *null = (volatile int *)null_address;
	long page = sysconf(_SC_PAGESIZE);
	printf("mode %s\n", mode);
	fflush(stdout);
	if (!strcmp(mode, "null")) {
		printf("read %d\n", read_null(null));
	} else if (!strcmp(mode, "write-code")) {
		volatile unsigned char *code = (volatile unsigned char *)(void *)recurse;
		printf("code at %p\n", (void *)code);
		fflush(stdout);
		code[0] = 0xc3;
		printf("wrote the code\n");
	} else if (!strcmp(mode, "exec-heap")) {
		unsigned char *buffer = malloc(64);
		buffer[0] = 0xc3;
		printf("heap code at %p\n", (void *)buffer);
		fflush(stdout);
		sink = (int (*)(void))(void *)buffer;
		sink();
		printf("ran heap code\n");
	} else if (!strcmp(mode, "stack")) {
		printf("%lu\n", recurse(0));
	} else if (!strcmp(mode, "thread-stack")) {
		pthread_t thread;
		if (pthread_create(&thread, 0, thread_main, 0)) {
			printf("pthread_create failed\n");
			return 2;
		}
		pthread_join(thread, 0);
	} else if (!strcmp(mode, "write-rodata")) {
		unsigned char *map = mmap(0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		map[0] = 1;
		if (mprotect(map, page, PROT_READ)) {
			perror("mprotect");
			return 2;
		}
		printf("read-only page at %p holds %d\n", (void *)map, map[0]);
		fflush(stdout);
		((volatile unsigned char *)map)[8] = 2;
		printf("wrote a read-only page\n");
	} else if (!strcmp(mode, "unmapped")) {
		unsigned char *map = mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		map[page] = 1;
		if (munmap(map + page, page)) {
			perror("munmap");
			return 2;
		}
		printf("first page %d, unmapped page at %p\n", map[0], (void *)(map + page));
		fflush(stdout);
		printf("read %d\n", ((volatile unsigned char *)map)[page]);
	} else if (!strcmp(mode, "jit")) {
		static const unsigned char code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
		unsigned char *map = mmap(0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (map == MAP_FAILED) {
			perror("mmap");
			return 2;
		}
		memcpy(map, code, sizeof(code));
		if (mprotect(map, page, PROT_READ | PROT_EXEC)) {
			perror("mprotect");
			return 2;
		}
		sink = (int (*)(void))(void *)map;
		printf("jit: %d\n", sink());
		if (munmap(map, page)) {
			perror("munmap");
			return 2;
		}
		/* The memory goes back read-write: a new mapping can be written. */
		unsigned char *again = mmap(0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		again[0] = 7;
		printf("jit: done %d\n", again[0]);
		return 0;
	} else if (!strcmp(mode, "mremap")) {
		unsigned char *map = mmap(0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		map[8] = 5;
		if (mprotect(map, page, PROT_READ)) {
			perror("mprotect");
			return 2;
		}
		unsigned char *moved = mremap(map, page, 64 * page, MREMAP_MAYMOVE);
		if (moved == MAP_FAILED) {
			perror("mremap");
			return 2;
		}
		printf("mremap: kept %d at %p\n", moved[8], (void *)moved);
		fflush(stdout);
		((volatile unsigned char *)moved)[8] = 6;
		printf("wrote a read-only page\n");
	} else if (!strcmp(mode, "pieces")) {
		size_t size = 256 * 1024;
		for (int round = 0; round < 4096; round++) {
			unsigned char *map = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (map == MAP_FAILED) {
				printf("pieces: mmap failed in round %d\n", round);
				return 2;
			}
			map[0] = map[size - 1] = 1;
			/* The upper half first in odd rounds, the lower half first in even ones. */
			unsigned char *first = round & 1 ? map + size / 2 : map;
			unsigned char *second = round & 1 ? map : map + size / 2;
			if (munmap(first, size / 2) || munmap(second, size / 2)) {
				perror("munmap");
				return 2;
			}
		}
		printf("pieces: ok\n");
		return 0;
	} else {
		printf("unknown mode\n");
		return 2;
	}
	return 1;
}

/* Boot test (nolibc): page protection of the image itself. Modes (argv[1]):
 *   null          read through a null pointer
 *   write-rodata  write into a string literal (read-only data)
 *   exec-data     call a byte of writable data holding a `ret`
 *   ok            read the code and the read-only data, write the data: prints "ok" */
#include <stdio.h>
#include <string.h>

static const char message[] = "read-only text";
static unsigned char ret_in_data[16] = { 0xc3 };
static void (*volatile call)(void);
/* Zero, read at run time: the compiler cannot see the null pointer (and emit `ud2`). */
static volatile unsigned long null_address;

__attribute__((noinline)) static int read_at(volatile const int *pointer)
{
	return *pointer;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "ok";
	printf("mode %s\n", mode);
	if (!strcmp(mode, "null")) {
		printf("read %d\n", read_at((volatile const int *)null_address));
	} else if (!strcmp(mode, "write-rodata")) {
		printf("message at %p\n", (void *)message);
		((volatile char *)message)[0] = 'R';
		printf("wrote %s\n", message);
	} else if (!strcmp(mode, "exec-data")) {
		printf("data at %p\n", (void *)ret_in_data);
		call = (void (*)(void))(void *)ret_in_data;
		call();
		printf("ran data\n");
	} else {
		ret_in_data[1] = (unsigned char)message[0];
		printf("ok %c %d\n", ret_in_data[1], read_at((const int *)(void *)main) != 0);
		return 0;
	}
	return 1;
}

/* hello-c: the smallest useful C application for ukl. It prints with printf (integers, floats,
 * strings), shows its command line, and allocates and frees a few blocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char *argv[])
{
	size_t sizes[] = { 16, 100, 4096, 70000 };
	char *blocks[sizeof(sizes) / sizeof(sizes[0])];

	printf("Hello, world!\n");
	printf("ints: %d %u %x %05d %-4d| %ld\n", -42, 42u, 0xbeefu, 7, 3, 1234567890123L);
	printf("floats: %f %.3f %e %g %g\n", 3.14159265, -2.5, 6.02214076e23, 0.0001, 1e-5);
	printf("strings: [%s] [%8s] [%-8s] [%.3s]\n", "ukl", "right", "left", "truncated");

	printf("argc = %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = \"%s\"\n", i, argv[i]);

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		blocks[i] = malloc(sizes[i]);
		if (blocks[i] == NULL) {
			printf("malloc(%zu) failed\n", sizes[i]);
			return 1;
		}
		memset(blocks[i], (int)i, sizes[i]);
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (blocks[i][sizes[i] - 1] != (char)i) {
			printf("block %zu corrupted\n", i);
			return 1;
		}
		free(blocks[i]);
	}
	printf("malloc/free of %zu blocks: ok\n", sizeof(sizes) / sizeof(sizes[0]));
	return 0;
}

// Over-aligned data, bss and functions (16 to 4096 bytes) from several sections: the output
// must honour every alignment.
// exit: 0
// stdout: aligned: 1 1 1 1 1 1
#include <stdint.h>
#include <stdio.h>
char before_data = 1;
__attribute__((aligned(4096))) char page_data[10] = {1};
char between = 2;
__attribute__((aligned(64))) long cache_line[3] = {1, 2, 3};
char before_bss;
__attribute__((aligned(256))) char bss_block[100];
__attribute__((aligned(32))) const char rodata_block[7] = "rodata";
__attribute__((aligned(128), noinline)) int aligned_function(void) { return 1; }
static int ok(const void *p, uintptr_t alignment) { return (uintptr_t)p % alignment == 0; }
int main(void)
{
	printf("aligned: %d %d %d %d %d %d\n", ok(page_data, 4096), ok(cache_line, 64),
	       ok(bss_block, 256), ok(rodata_block, 32), ok((void *)aligned_function, 128),
	       before_data + between + before_bss + page_data[0] + rodata_block[0] == 'r' + 4);
	return 0;
}

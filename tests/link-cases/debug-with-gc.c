// -g with --gc-sections: the debug sections keep relocations against functions and data that
// garbage collection removed (the linker resolves them to a tombstone such as 0 instead of
// failing), and the .eh_frame FDEs of removed functions go with them.
// compile: musl-gcc -O2 -g -ffunction-sections -fdata-sections
// args: --gc-sections
// sections-present: .debug_info .debug_line .eh_frame
// symbols-absent: removed_function removed_data
// exit: 0
// stdout: kept=6
#include <stdio.h>
int removed_data[16] = {1, 2, 3};
__attribute__((noinline)) int removed_function(int x) { return x * removed_data[x & 15]; }
__attribute__((noinline)) int kept_function(int x) { return x * 2; }
int main(void)
{
	printf("kept=%d\n", kept_function(3));
	return 0;
}

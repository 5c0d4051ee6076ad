// --gc-sections with -ffunction-sections -fdata-sections drops functions and data that nothing
// reachable from the entry point references, keeps what main reaches (also through a function
// pointer table) and the constructors in .init_array.
// compile: musl-gcc -O2 -ffunction-sections -fdata-sections
// args: --gc-sections
// exit: 0
// stdout: constructor kept
// stdout: used_function=5 used_data=7 via_table=9
// symbols-present: used_function used_data via_table main
// symbols-absent: unused_function unused_data unused_called_by_unused
#include <stdio.h>

__attribute__((noinline)) int used_function(int x) { return x + 2; }
int used_data = 7;
__attribute__((noinline)) int via_table(void) { return 9; }
int (*const table[])(void) = {via_table};

__attribute__((noinline)) int unused_called_by_unused(void) { return 1; }
__attribute__((noinline)) int unused_function(void) { return unused_called_by_unused() + 1; }
int unused_data[1000] = {1};

__attribute__((constructor)) static void constructor(void) { puts("constructor kept"); }

int main(void)
{
	printf("used_function=%d used_data=%d via_table=%d\n", used_function(3), used_data,
	       table[0]());
	return 0;
}

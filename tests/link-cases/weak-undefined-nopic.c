// Undefined weak symbols resolve to 0 in non-PIC code: R_X86_64_32/32S immediates and
// R_X86_64_64 data words against a weak undefined symbol.
// compile: musl-gcc -O2 -fno-pic
// exit: 0
// stdout: 0 0 0
#include <stdio.h>

extern int missing_data __attribute__((weak));
extern void missing_function(void) __attribute__((weak));
void *table[] = {&missing_data, missing_function};

int main(void)
{
	printf("%d %d %d\n", &missing_data != 0, table[0] != 0, table[1] != 0);
	return 0;
}

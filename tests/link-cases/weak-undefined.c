// Undefined weak symbols resolve to 0: a data address, a function address (through the GOT
// with -fPIE, which the linker relaxes or fills with 0), and a call guarded by a null check.
// exit: 0
// stdout: missing_data=0 missing_function=0 guarded call skipped
#include <stdio.h>

extern int missing_data __attribute__((weak));
extern void missing_function(void) __attribute__((weak));

int main(void)
{
	int *volatile data = &missing_data;
	void (*volatile function)(void) = missing_function;
	printf("missing_data=%d missing_function=%d ", data != 0, function != 0);
	if (missing_function)
		missing_function();
	else
		printf("guarded call skipped\n");
	return 0;
}

/* Boot test: main's return value is the unikernel's exit status. Returns argv[1] as a number
 * (3 without arguments); with a second argument "exit", ends through exit() instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	int status = argc > 1 ? atoi(argv[1]) : 3;
	printf("exiting with %d\n", status);
	if (argc > 2 && strcmp(argv[2], "exit") == 0)
		exit(status);
	return status;
}

/* Explain test: uses ukdebug (uk_pr_log) and nolibc (printf). */
#include <stdio.h>
#include <uk/print.h>

int main(void)
{
	uk_pr_info("hello from the log\n");
	printf("hello\n");
	return 0;
}

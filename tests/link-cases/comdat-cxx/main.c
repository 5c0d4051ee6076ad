#include <stdio.h>
void run_a(void);
void run_b(void);
int same_twice(void);
int same_table(void);
int main(void)
{
	run_a();
	run_b();
	printf("same instance: %d %d 1\n", same_twice(), same_table());
	return 0;
}

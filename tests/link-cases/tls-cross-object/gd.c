#include <stdio.h>
extern __thread int counter;
extern __thread long zero;
extern __thread int member_value;
void use_gd(void)
{
	printf("gd: counter=%d zero=%ld member=%d\n", counter, zero, member_value);
	counter++;
	zero++;
	member_value++;
}

#include <stdio.h>
extern __thread int counter;
extern __thread long zero;
extern __thread int member_value;
void use_gd(void), use_ie(void), use_le(void);
int main(void)
{
	use_gd();
	use_ie();
	use_le();
	printf("main: counter=%d zero=%ld member=%d\n", counter - 1, zero - 1, member_value - 1);
	return 0;
}

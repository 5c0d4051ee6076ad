#include <stdio.h>
extern int hidden_data __attribute__((visibility("hidden")));
int hidden_function(void) __attribute__((visibility("hidden")));
extern int protected_data;
int main(void)
{
	printf("hidden_function=%d hidden_data=%d protected=%d\n", hidden_function(), hidden_data,
	       protected_data);
	return 0;
}

#include <stdio.h>
int registered_count;
const char *registered[8];
void register_plugin(const char *name) { registered[registered_count++] = name; }
int main(void)
{
	printf("registered:");
	for (int i = 0; i < registered_count; i++)
		printf(" %s", registered[i]);
	printf("\n");
	return 0;
}

#include <stdio.h>
int table[4] = {1, 2, 3, 4};
extern char after_table[];
static const char message[] = "orphans placed";
int main(void)
{
	printf("%s %d\n", message, (int)(after_table - (char *)table));
	return 0;
}

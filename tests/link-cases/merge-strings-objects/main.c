#include <stdio.h>
#include <string.h>
const char *text_a(void);
const char *text_b(void);
void print_a(double);
void print_b(double);
int main(void)
{
	print_a(1.0);
	print_b(1.0);
	printf("same text: %d\n", strcmp(text_a(), text_b()) == 0);
	return 0;
}

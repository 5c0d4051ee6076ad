#include <stdio.h>
__attribute__((weak)) const char *value(void) { return "weak"; }
extern void optional_feature(void) __attribute__((weak));
int main(void)
{
	printf("value=%s optional=%s\n", value(), optional_feature ? "present" : "absent");
	return 0;
}

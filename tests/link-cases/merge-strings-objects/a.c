#include <stdio.h>
#include <string.h>
const char *text_a(void) { return "shared literal"; }
void print_a(double x) { printf("a: %s / %s / %g\n", "shared literal", "shared literal" + 7, x * 2.75); }

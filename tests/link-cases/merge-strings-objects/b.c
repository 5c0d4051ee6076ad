#include <stdio.h>
const char *text_b(void) { return "shared literal"; }
void print_b(double x) { printf("b: %s / %s / %g\n", "shared literal", "literal", x * 2.75); }

#include <stdio.h>
static int counter = 0;
static const char *helper(void) { return "a"; }
void run_a(void) { counter++; printf("a: counter=%d helper=%s\n", counter, helper()); }

#include <stdio.h>
static int counter = 100;
__attribute__((noinline)) static const char *helper(void) { return "b"; }
void run_b(void) { counter++; printf("b: counter=%d helper=%s\n", counter, helper()); }

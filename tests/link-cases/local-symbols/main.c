#include <stdio.h>
int counter = 1000;
void run_a(void), run_b(void);
int main(void) { run_a(); run_b(); printf("global counter=%d\n", counter); return 0; }

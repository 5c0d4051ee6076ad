#include <stdio.h>
int late(void);
int main(void) { printf("late object calls tool: %d\n", late()); return 0; }

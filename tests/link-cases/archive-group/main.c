#include <stdio.h>
void ping(int);
int main(void) { ping(3); puts("done"); return 0; }

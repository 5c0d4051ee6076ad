#include <stdio.h>
void ping(int);
void ping_done(void);
void pong(int n) { printf("pong(%d) ", n); if (n) ping(n - 1); else ping_done(); }

#include <stdio.h>
void pong(int);
void ping_done(void);
void ping(int n) { printf("ping(%d) ", n); if (n) pong(n - 1); else ping_done(); }

#include <stdio.h>
const char *version(void) { return "main's version"; }
int needed(void);
int main(void) { printf("%s, needed=%d\n", version(), needed()); return 0; }

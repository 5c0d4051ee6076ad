#include <stdio.h>
const char *a_entry(void);
int main(void) { printf("%s\n", a_entry()); return 0; }

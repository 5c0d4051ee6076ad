#include <stdio.h>
const char *third(void);
int main(void) { printf("%s\n", third()); return 0; }

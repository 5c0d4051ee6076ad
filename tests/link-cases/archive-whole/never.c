#include <stdio.h>
void never_pulled(void) {}
__attribute__((constructor)) static void init(void) { puts("never!"); }

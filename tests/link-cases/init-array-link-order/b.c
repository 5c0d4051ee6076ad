#include <stdio.h>
__attribute__((constructor)) static void init_b(void) { puts("init b"); }
__attribute__((destructor)) static void fini_b(void) { puts("fini b"); fflush(stdout); }

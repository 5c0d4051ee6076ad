#include <stdio.h>
__attribute__((constructor)) static void init_a(void) { puts("init a"); }
__attribute__((destructor)) static void fini_a(void) { puts("fini a"); fflush(stdout); }

#include <stdio.h>
__attribute__((constructor)) static void init_c(void) { puts("init c"); }
__attribute__((destructor)) static void fini_c(void) { puts("fini c"); fflush(stdout); }
int main(void) { puts("main"); return 0; }

#include <stdio.h>
void optional_feature(void) {}
__attribute__((constructor)) static void announce(void) { puts("member pulled in!"); }

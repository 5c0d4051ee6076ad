// -u SYMBOL makes SYMBOL a garbage-collection root: with --gc-sections the function survives
// although nothing references it; another unreferenced function is dropped.
// compile: musl-gcc -O2 -ffunction-sections
// args: --gc-sections -u kept_by_u
// exit: 0
// stdout: main
// symbols-present: kept_by_u
// symbols-absent: dropped
#include <stdio.h>
int kept_by_u(void) { return 1; }
int dropped(void) { return 2; }
int main(void) { puts("main"); return 0; }

// Without --gc-sections (or after --no-gc-sections), unreferenced functions in their own
// sections stay in the output.
// compile: musl-gcc -O2 -ffunction-sections
// args: --gc-sections --no-gc-sections
// exit: 0
// stdout: main
// symbols-present: unreferenced
#include <stdio.h>
int unreferenced(void) { return 1; }
int main(void) { puts("main"); return 0; }

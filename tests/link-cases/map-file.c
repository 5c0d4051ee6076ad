// -Map FILE writes a link map (its format is each linker's own: only its presence is checked).
// args: -Map {out}.map
// output-files: {out}.map
// exit: 0
// stdout: map
#include <stdio.h>
int main(void) { puts("map"); return 0; }

// --strip-all (-s): no .symtab or .strtab in the output, the program still runs.
// args: --strip-all
// sections-absent: .symtab .strtab
// exit: 0
// stdout: stripped
#include <stdio.h>
int main(void) { puts("stripped"); return 0; }

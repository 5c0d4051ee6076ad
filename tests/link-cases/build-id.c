// --build-id: a .note.gnu.build-id section (in a PT_NOTE segment) holding the output's hash.
// args: --build-id
// sections-present: .note.gnu.build-id
// exit: 0
// stdout: build id
#include <stdio.h>
int main(void) { puts("build id"); return 0; }

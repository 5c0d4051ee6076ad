// Sections that every gcc object carries: .comment (SHF_MERGE|SHF_STRINGS, non-alloc: merged
// or kept, never loaded), .note.GNU-stack (only a marker: no output section, and the stack is
// not executable), .note.gnu.property. The output must have no .note.GNU-stack section.
// compile: musl-gcc -O2 -fcf-protection=full
// sections-absent: .note.GNU-stack
// exit: 0
// stdout: notes
#include <stdio.h>
int main(void) { puts("notes"); return 0; }

// Options that compiler drivers and build systems pass to GNU ld, which a drop-in linker must
// take: -m elf_x86_64, -nostdlib, -z noexecstack, -z max-page-size, -z norelro, -L of a
// directory, --no-gc-sections, --eh-frame-hdr.
// args: -m elf_x86_64 -nostdlib -z noexecstack -z max-page-size=4096 -z norelro -L{tmp} --no-gc-sections --eh-frame-hdr
// exit: 0
// stdout: options
#include <stdio.h>
int main(void) { puts("options"); return 0; }

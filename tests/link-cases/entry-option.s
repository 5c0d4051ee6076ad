# -e SYMBOL sets the entry point (no ENTRY in a script, no _start in the program).
# link: raw
# args: -e my_entry
# stdout: ok
        .include "raw.inc"
        .text
        .globl  my_entry
my_entry:
        exit_ok

# R_X86_64_64: absolute 64-bit addresses in data (with positive, negative and section-symbol
# addends) and in code (movabs).
# link: raw
# args: -T {cases}/_common/fixed.ld
# compare-symbols: _start target table
# compare-sections: .data .rodata
# stdout: ok
        .include "raw.inc"
        .section .text.start, "ax"
        .globl  _start
_start:
        lea     target(%rip), %rax
        check   table(%rip), %rax, 1
        lea     target+8(%rip), %rax
        check   table+8(%rip), %rax, 2
        lea     target-16(%rip), %rax
        check   table+16(%rip), %rax, 3
        lea     local_data+4(%rip), %rax
        check   table+24(%rip), %rax, 4
        movabs  $target, %rax
        lea     target(%rip), %rcx
        check   %rcx, %rax, 5
        exit_ok

        .section .rodata.local, "a"
        .quad   0
local_data:
        .quad   1

        .data
        .globl  table, target
table:
        .quad   target, target+8, target-16, local_data+4
        .quad   0
target:
        .quad   0x1122334455667788

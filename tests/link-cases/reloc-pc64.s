# R_X86_64_PC64: `.quad sym - .` in data (as in DWARF or hand-written tables).
# link: raw
# args: -T {cases}/_common/fixed.ld
# compare-symbols: _start target offsets
# compare-sections: .data
# stdout: ok
        .include "raw.inc"
        .section .text.start, "ax"
        .globl  _start
_start:
        lea     target(%rip), %rbx
        mov     offsets(%rip), %rax
        lea     offsets(%rip), %rcx
        add     %rcx, %rax
        check   %rbx, %rax, 1
        mov     offsets+8(%rip), %rax           # .quad _start - . + 3
        lea     offsets+8(%rip), %rcx
        add     %rcx, %rax
        lea     _start+3(%rip), %rcx
        check   %rcx, %rax, 2
        exit_ok

        .data
        .globl  offsets, target
offsets:
        .quad   target - .
        .quad   _start - . + 3
target:
        .quad   0

# R_X86_64_32 (zero-extended: .long, movl $sym) and R_X86_64_32S (sign-extended: movq $sym,
# an absolute memory operand with an index register).
# link: raw
# args: -T {cases}/_common/fixed.ld
# compare-symbols: _start target words
# compare-sections: .data
# stdout: ok
        .include "raw.inc"
        .section .text.start, "ax"
        .globl  _start
_start:
        lea     target(%rip), %rbx
        movl    words(%rip), %eax               # .long target
        check   %rbx, %rax, 1
        movl    words+4(%rip), %eax             # .long target+12
        lea     12(%rbx), %rcx
        check   %rcx, %rax, 2
        movl    $target, %eax                   # R_X86_64_32
        check   %rbx, %rax, 3
        movq    $target+4, %rax                 # R_X86_64_32S
        lea     4(%rbx), %rcx
        check   %rcx, %rax, 4
        mov     $1, %ecx
        mov     values(,%rcx,8), %rax           # R_X86_64_32S in a memory operand
        check   $0x77, %rax, 5
        exit_ok

        .data
        .globl  words, target
words:
        .long   target, target+12
values:
        .quad   0x66, 0x77
target:
        .quad   0

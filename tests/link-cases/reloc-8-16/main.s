        .include "raw.inc"
        .section .text.start, "ax"
        .globl  _start
_start:
        movzbl  bytes(%rip), %eax               # .byte small: R_X86_64_8
        check   $0x12, %eax, 1
        movzwl  bytes+1(%rip), %eax             # .word middle: R_X86_64_16
        check   $0x1234, %eax, 2
        movsbq  bytes+3(%rip), %rax             # .byte near - .: R_X86_64_PC8
        lea     bytes+3(%rip), %rcx
        add     %rcx, %rax
        lea     near(%rip), %rdx
        check   %rdx, %rax, 3
        movswq  bytes+4(%rip), %rax             # .word near - . + 1: R_X86_64_PC16
        lea     bytes+4(%rip), %rcx
        add     %rcx, %rax
        lea     near+1(%rip), %rdx
        check   %rdx, %rax, 4
        exit_ok

        .data
        .globl  bytes
bytes:
        .byte   small
        .word   middle
        .byte   near - .
        .word   near - . + 1

        .section .data.near, "aw"
        .globl  near
near:
        .quad   0

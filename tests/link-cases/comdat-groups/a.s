        .include "raw.inc"
        .section .text.start, "ax"
        .globl  _start
_start:
        call    shared_helper
        check   $1, %rax, 1
        call    from_b
        check   $1, %rax, 2
        mov     shared_value(%rip), %rax
        check   $100, %rax, 3
        call    value_from_b
        check   $100, %rax, 4
        exit_ok

        .section .text.shared_helper, "axG", @progbits, shared_helper, comdat
        .globl  shared_helper
shared_helper:
        mov     $1, %eax
        ret
        .section .data.shared_value, "awG", @progbits, shared_helper, comdat
        .globl  shared_value
shared_value:
        .quad   100

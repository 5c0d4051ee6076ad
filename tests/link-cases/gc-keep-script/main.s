        .include "raw.inc"
        .section .text.start, "ax"
        .globl  _start
_start:
        lea     records_end(%rip), %rax
        lea     records_start(%rip), %rcx
        sub     %rcx, %rax
        check   $16, %rax, 1
        exit_ok

        .section .text.keep, "ax"
        .globl  kept_function
kept_function:
        ret

        .section .text.dropped, "ax"
        .globl  dropped_function
dropped_function:
        ret

        .section .records, "a"
        .quad   1, 2

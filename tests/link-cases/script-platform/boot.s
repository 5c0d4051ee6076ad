        .include "raw.inc"
        .section .text.boot, "ax"
        .globl  _start
_start:
        # .uk_inittab.* sorted by name: 1, 2, 3 (boot.s holds 3 and 1, tables.s holds 2)
        lea     __uk_inittab_start(%rip), %rbx
        check   $1, (%rbx), 1
        check   $2, 8(%rbx), 2
        check   $3, 16(%rbx), 3
        lea     __uk_inittab_end(%rip), %rax
        sub     %rbx, %rax
        check   $24, %rax, 4
        # .init_array.00100 before .init_array.00200 before .init_array
        lea     __init_array_start(%rip), %rbx
        lea     init_first(%rip), %rax
        check   (%rbx), %rax, 5
        lea     init_second(%rip), %rax
        check   8(%rbx), %rax, 6
        lea     init_plain(%rip), %rax
        check   16(%rbx), %rax, 7
        lea     __init_array_end(%rip), %rax
        sub     %rbx, %rax
        check   $24, %rax, 8
        # bss is zero
        mov     bss_word(%rip), %rax
        check   $0, %rax, 9
        exit_ok

        .text
init_first:
init_second:
init_plain:
        ret

        .section .uk_inittab.3, "aw"
        .quad   3
        .section .uk_inittab.1, "aw"
        .quad   1
        .section .init_array, "aw"
        .quad   init_plain
        .section .init_array.00200, "aw"
        .quad   init_second
        .section .init_array.00100, "aw"
        .quad   init_first

        .section .note.Xen, "a", @note
        .balign 4
        .long   4, 4, 18
        .asciz  "Xen"
        .long   _start

        .section .tdata, "awT", @progbits
        .globl  tls_value
tls_value:
        .quad   5

        .bss
bss_word:
        .quad   0

        .section .eh_frame, "a", @progbits
        .quad   0

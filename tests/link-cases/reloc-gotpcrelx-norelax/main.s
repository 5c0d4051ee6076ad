        .include "raw.inc"
        .weak   missing

        .section .text.start, "ax"
        .globl  _start
_start:
        mov     far_away@GOTPCREL(%rip), %rax
        movabs  $0x123456789, %rcx
        check   %rcx, %rax, 1
        mov     $1, %eax
        addq    far_away@GOTPCREL(%rip), %rax
        movabs  $0x12345678a, %rcx
        check   %rcx, %rax, 2
        mov     missing@GOTPCREL(%rip), %rax
        check   $0, %rax, 3
        movl    far_away@GOTPCREL+4(%rip), %eax # the high 32 bits of the GOT entry
        check   $1, %eax, 4
        exit_ok

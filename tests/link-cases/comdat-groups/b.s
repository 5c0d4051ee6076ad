        .text
        .globl  from_b, value_from_b
from_b:
        jmp     shared_helper
value_from_b:
        mov     shared_value(%rip), %rax
        ret

        .section .text.shared_helper, "axG", @progbits, shared_helper, comdat
        .globl  shared_helper
shared_helper:
        mov     $2, %eax
        ret
        .section .data.shared_value, "awG", @progbits, shared_helper, comdat
        .globl  shared_value
shared_value:
        .quad   200

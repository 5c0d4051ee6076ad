        .text
        .globl  _start
_start:
        lea     far_data(%rip), %rax
        mov     $60, %eax
        syscall

        .data
        .globl  far_data
far_data:
        .quad   1

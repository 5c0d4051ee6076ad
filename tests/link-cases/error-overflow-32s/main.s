        .text
        .globl  _start
_start:
        movq    $far_data, %rax
        mov     $60, %eax
        syscall

        .data
        .globl  far_data
far_data:
        .quad   1

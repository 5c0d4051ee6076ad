        .include "raw.inc"
        .section .text.start, "ax"
        .globl  program_entry
program_entry:
        lea     program_entry(%rip), %rax
        movabs  $0x400000, %rcx
        sub     %rcx, %rax
        cmp     $0x100, %rax                    # code starts right after the headers
        jb      1f
        mov     $1, %edi
        mov     $60, %eax
        syscall
1:      movabs  $provided_used, %rax
        movabs  $end, %rcx
        check   %rcx, %rax, 2
        movabs  $defined_in_object, %rax
        check   $0x42, %rax, 3
        lea     data_start(%rip), %rax
        mov     (%rax), %rax
        check   $7, %rax, 4
        movabs  $rodata_aligned, %rax
        test    $0xff, %al
        jz      2f
        mov     $5, %edi
        mov     $60, %eax
        syscall
2:      exit_ok

        .globl  defined_in_object
        .set    defined_in_object, 0x42

        .data
        .quad   7
        .quad   provided_used

        .bss
        .zero   64

        .section .discard_me, "a"
        .quad   1

# R_X86_64_REX_GOTPCRELX: mov (relaxable to lea), and the arithmetic forms add, sub, cmp, and,
# or, xor, test (relaxable to an immediate operand in a non-PIC link), with low and high
# registers.
# link: raw
# args: -T {cases}/_common/fixed.ld
# compare-symbols: _start target
# stdout: ok
        .include "raw.inc"
        .section .text.start, "ax"
        .globl  _start
_start:
        lea     target(%rip), %rbx
        mov     target@GOTPCREL(%rip), %rax
        check   %rbx, %rax, 1
        mov     target@GOTPCREL(%rip), %r13
        check   %rbx, %r13, 2
        mov     $100, %eax
        addq    target@GOTPCREL(%rip), %rax
        lea     100(%rbx), %rcx
        check   %rcx, %rax, 3
        mov     %rbx, %r9
        subq    target@GOTPCREL(%rip), %r9
        check   $0, %r9, 4
        cmpq    target@GOTPCREL(%rip), %rbx
        je      1f
        mov     $5, %edi
        mov     $60, %eax
        syscall
1:      mov     $-1, %rax
        andq    target@GOTPCREL(%rip), %rax
        check   %rbx, %rax, 6
        xor     %eax, %eax
        orq     target@GOTPCREL(%rip), %rax
        check   %rbx, %rax, 7
        mov     %rbx, %r10
        xorq    target@GOTPCREL(%rip), %r10
        check   $0, %r10, 8
        mov     %rbx, %rdx
        testq   %rdx, target@GOTPCREL(%rip)
        jnz     2f
        mov     $9, %edi
        mov     $60, %eax
        syscall
2:      exit_ok

        .data
        .globl  target
target:
        .quad   1

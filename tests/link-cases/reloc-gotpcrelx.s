# R_X86_64_GOTPCRELX (no REX prefix): `call *sym@GOTPCREL(%rip)` and `jmp *` (relaxable to
# `addr32 call`/`jmp`), `movl sym@GOTPCREL(%rip), %eax` (relaxable to lea), and the arithmetic
# `addl sym@GOTPCREL(%rip), %eax`, which linkers do not relax without a REX prefix.
# link: raw
# args: -T {cases}/_common/fixed.ld
# compare-symbols: _start target function
# stdout: ok
        .include "raw.inc"
        .section .text.start, "ax"
        .globl  _start
_start:
        call    *function@GOTPCREL(%rip)
        check   $7, %rax, 1
        call    tail_caller
        check   $7, %rax, 2
        lea     target(%rip), %rbx
        xor     %eax, %eax
        movl    target@GOTPCREL(%rip), %eax
        check   %ebx, %eax, 3
        mov     $5, %eax
        addl    target@GOTPCREL(%rip), %eax
        lea     5(%rbx), %ecx
        check   %ecx, %eax, 4
        exit_ok

        .text
tail_caller:
        jmp     *function@GOTPCREL(%rip)
        .globl  function
function:
        mov     $7, %eax
        ret

        .data
        .globl  target
target:
        .quad   1

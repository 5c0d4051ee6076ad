# R_X86_64_PC32: rip-relative operands, and `.long sym - .` in data, across sections.
# link: raw
# args: -T {cases}/_common/fixed.ld
# compare-symbols: _start target offsets
# compare-sections: .data
# stdout: ok
        .include "raw.inc"
        .section .text.start, "ax"
        .globl  _start
_start:
        lea     target(%rip), %rbx              # PC32 to a global in another section
        movabs  $target, %rax
        check   %rbx, %rax, 1
        movslq  offsets(%rip), %rax             # .long target - .
        lea     offsets(%rip), %rcx
        add     %rcx, %rax
        check   %rbx, %rax, 2
        movslq  offsets+4(%rip), %rax           # .long _start - . (backwards)
        lea     offsets+4(%rip), %rcx
        add     %rcx, %rax
        lea     _start(%rip), %rcx
        check   %rcx, %rax, 3
        mov     target+8(%rip), %rax            # PC32 with an addend
        check   $0x55, %rax, 4
        exit_ok

        .data
        .globl  offsets, target
offsets:
        .long   target - .
        .long   _start - .
        .balign 16
target:
        .quad   0x44, 0x55

# Plain R_X86_64_GOTPCREL (assembled with relaxation off, as in the rustc sysroot's objects):
# the linker must either build a GOT entry holding the address or relax the instruction.
# Also `.long sym@GOTPCREL` in data, which can only be satisfied with a real GOT entry.
# compile: musl-gcc -Wa,-mrelax-relocations=no -Wa,-I{cases}/_common
# link: raw
# args: -T {cases}/_common/fixed.ld
# compare-symbols: _start target function slot_offset
# stdout: ok
        .include "raw.inc"
        .section .text.start, "ax"
        .globl  _start
_start:
        lea     target(%rip), %rbx
        mov     target@GOTPCREL(%rip), %rax
        check   %rbx, %rax, 1
        mov     target@GOTPCREL(%rip), %r12
        check   %rbx, %r12, 2
        call    *function@GOTPCREL(%rip)
        check   $7, %rax, 3
        movslq  slot_offset(%rip), %rax         # .long target@GOTPCREL: the GOT slot - P
        lea     slot_offset(%rip), %rcx
        add     %rcx, %rax
        mov     (%rax), %rax
        check   %rbx, %rax, 4
        mov     local_target@GOTPCREL(%rip), %rax
        lea     local_target(%rip), %rcx
        check   %rcx, %rax, 5
        exit_ok

        .text
        .globl  function
function:
        mov     $7, %eax
        ret

        .data
        .globl  target, slot_offset
slot_offset:
        .long   target@GOTPCREL
        .balign 8
target:
        .quad   1
local_target:
        .quad   2

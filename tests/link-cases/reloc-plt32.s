# R_X86_64_PLT32: calls and tail jumps to functions in other sections (no PLT is needed in a
# static link: the call goes straight to the function).
# link: raw
# args: -T {cases}/_common/fixed.ld
# compare-symbols: _start add_one add_two twice
# compare-sections: .text
# stdout: ok
        .include "raw.inc"
        .section .text.start, "ax"
        .globl  _start
_start:
        mov     $40, %edi
        call    add_one@PLT
        mov     %eax, %edi
        call    twice                           # gas emits PLT32 for a call to a global
        check   $82, %rax, 1
        exit_ok

        .section .text.add_one, "ax"
        .globl  add_one
add_one:
        lea     1(%rdi), %eax
        ret

        .section .text.twice, "ax"
        .globl  twice, add_two
twice:
        add     %edi, %edi
        jmp     add_two@PLT
add_two:
        lea     -2(%rdi), %eax
        add     $2, %eax
        ret

# References into SHF_MERGE sections through section symbols with addends (what gas emits for
# local labels): the linker must map each (section, offset) to where that piece of the merged
# section ended up, whether or not it deduplicates strings and constants. Two objects' worth of
# identical strings and an 8-byte constant pool are in this one file's two merge sections.
# link: raw
# args: -T {cases}/_common/fixed.ld
# compare-symbols: _start
# stdout: ok
        .include "raw.inc"
        .section .text.start, "ax"
        .globl  _start
_start:
        lea     .Lhello_world+7(%rip), %rdi     # "world"
        lea     .Lworld(%rip), %rsi             # "world"
        call    string_equal
        check   $1, %rax, 1
        lea     .Lsecond_hello(%rip), %rdi
        lea     .Lhello_world(%rip), %rsi
        call    string_equal
        check   $1, %rax, 2
        mov     .Lconstant_b(%rip), %rax
        movabs  $0x2222222222222222, %rcx
        check   %rcx, %rax, 3
        mov     .Lconstant_a(%rip), %rax
        movabs  $0x1111111111111111, %rcx
        check   %rcx, %rax, 4
        mov     pointers(%rip), %rdi            # R_X86_64_64 to .rodata.str1.1+offset
        lea     .Lworld(%rip), %rsi
        call    string_equal
        check   $1, %rax, 5
        exit_ok

# rax = 1 if the NUL-terminated strings at rdi and rsi are equal, else 0.
string_equal:
        mov     (%rdi), %al
        cmp     (%rsi), %al
        jne     1f
        inc     %rdi
        inc     %rsi
        test    %al, %al
        jnz     string_equal
        mov     $1, %eax
        ret
1:      xor     %eax, %eax
        ret

        .section .rodata.str1.1, "aMS", @progbits, 1
.Lhello_world:
        .asciz  "hello, world"
.Lworld:
        .asciz  "world"
.Lsecond_hello:
        .asciz  "hello, world"

        .section .rodata.cst8, "aM", @progbits, 8
.Lconstant_a:
        .quad   0x1111111111111111
.Lconstant_b:
        .quad   0x2222222222222222
        .quad   0x1111111111111111

        .data
pointers:
        .quad   .Lhello_world+7

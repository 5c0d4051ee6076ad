# TLS offsets in a fixed layout, computed without running any TLS code: R_X86_64_TPOFF32
# (immediate and .long), TPOFF64 (.quad), DTPOFF32 (.long) and DTPOFF64 (.quad) in a non-alloc
# section as in debug info (offsets from the start of the TLS block: 8, 0x20, 4), and GOTTPOFF (initial-exec loads with mov and add, low and high registers, relaxed or through
# a GOT entry). The .tbss variable is 32-byte aligned, so the block is 0x28 bytes with alignment
# 32 and the thread pointer sits 0x40 bytes after the block's start (x86_64 variant II).
# link: raw
# args: -T {cases}/_common/fixed.ld
# compare-symbols: _start tls_a tls_b tls_c offsets
# compare-sections: .data .tdata .debug_tls_offsets
# stdout: ok
        .include "raw.inc"
        .section .text.start, "ax"
        .globl  _start
_start:
        movq    $tls_a@tpoff, %rax              # TPOFF32, sign-extended immediate
        check   $-64, %rax, 1
        mov     offsets(%rip), %rax             # .quad tls_b@tpoff: TPOFF64
        check   $-56, %rax, 2
        movslq  offsets+8(%rip), %rax           # .long tls_c@tpoff: TPOFF32
        check   $-32, %rax, 3
        movq    tls_a@gottpoff(%rip), %rax      # GOTTPOFF, mov
        check   $-64, %rax, 7
        movq    tls_c@gottpoff(%rip), %r12      # GOTTPOFF, mov to a high register
        check   $-32, %r12, 8
        mov     $100, %rcx
        addq    tls_b@gottpoff(%rip), %rcx      # GOTTPOFF, add
        check   $44, %rcx, 9
        exit_ok

        .data
        .globl  offsets
offsets:
        .quad   tls_b@tpoff
        .long   tls_c@tpoff

        .section .debug_tls_offsets, "", @progbits
        .long   tls_b@dtpoff
        .quad   tls_c@dtpoff
        .quad   tls_a@dtpoff+4

        .section .tdata, "awT", @progbits
        .globl  tls_a, tls_b
tls_a:  .quad   1
tls_b:  .quad   2

        .section .tbss, "awT", @nobits
        .globl  tls_c
        .balign 32
tls_c:  .zero   8

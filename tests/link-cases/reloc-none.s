# R_X86_64_NONE: writes nothing, but it is a reference that keeps its target alive under
# --gc-sections (the `.reloc ., R_X86_64_NONE, sym` idiom).
# link: raw
# args: -T {cases}/_common/fixed.ld --gc-sections
# symbols-present: kept_by_none
# symbols-absent: dropped
# compare-sections: .text
# stdout: ok
        .include "raw.inc"
        .section .text.start, "ax"
        .globl  _start
_start:
        .reloc  ., R_X86_64_NONE, kept_by_none
        nop
        exit_ok

        .section .text.kept, "ax"
        .globl  kept_by_none
kept_by_none:
        ret

        .section .text.dropped, "ax"
        .globl  dropped
dropped:
        ret

# A relocation type that has no meaning in an object file (R_X86_64_COPY, a dynamic relocation
# type): the link must fail with a message about the relocation that names the object, not
# write garbage or panic.
# GNU ld silently accepts it, so only ld.lld is the reference here.
# link: raw
# args: -e _start
# references: lld
# error: relocation
# error: error-unsupported-relocation.o
        .text
        .globl  _start
_start:
        .reloc  ., R_X86_64_COPY, target
        .quad   0
target:
        ret

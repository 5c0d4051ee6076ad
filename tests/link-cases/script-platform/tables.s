        .section .uk_inittab.2, "aw"
        .quad   2
        .section .rodata
        .asciz  "rodata"
        .data
        .quad   0x1234

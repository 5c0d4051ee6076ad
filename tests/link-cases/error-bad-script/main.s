        .text
        .globl  _start
_start:
        ret

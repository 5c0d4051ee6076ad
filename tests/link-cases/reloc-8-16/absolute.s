        .globl  small, middle
        .set    small, 0x12
        .set    middle, 0x1234

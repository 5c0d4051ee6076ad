# An absolute symbol above 4 GiB.
        .globl  far_away
        .set    far_away, 0x123456789

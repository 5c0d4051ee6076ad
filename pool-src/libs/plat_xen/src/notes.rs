//! The Xen ELF notes that describe the image to Xen's loaders, beside arch_x86_64's
//! `XEN_ELFNOTE_PHYS32_ENTRY` (type 18, the only note a PVH loader requires): `XEN_VERSION`
//! (5, "xen-3.0"), `GUEST_OS` (6, "ukl"), `GUEST_VERSION` (7) and `LOADER` (8, "generic").
//! Each note is a 4-byte name size, descriptor size and type, then the name "Xen" and the
//! descriptor, both padded to 4 bytes.

core::arch::global_asm!(
    r#"
    .pushsection .note.Xen, "a", @note
    .balign 4
    .long 4, 8, 5
    .asciz "Xen"
    .asciz "xen-3.0"
    .balign 4

    .balign 4
    .long 4, 4, 6
    .asciz "Xen"
    .asciz "ukl"
    .balign 4

    .balign 4
    .long 4, 6, 7
    .asciz "Xen"
    .asciz "0.1.0"
    .balign 4

    .balign 4
    .long 4, 8, 8
    .asciz "Xen"
    .asciz "generic"
    .balign 4
    .popsection
"#
);

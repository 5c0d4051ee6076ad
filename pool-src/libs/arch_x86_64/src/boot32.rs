//! PVH entry: the `Xen` ELF note, the 32-bit entry point and the switch to long mode.
//!
//! A PVH loader (QEMU `-kernel`, Firecracker, Cloud Hypervisor, Xen) starts the image in 32-bit
//! protected mode with paging off at the physical address named by the `XEN_ELFNOTE_PHYS32_ENTRY`
//! note, with `ebx` holding the physical address of `hvm_start_info`. The code below reads the
//! TSC, clears `.bss`, identity-maps the first 4 GiB with 2 MiB read-write-execute pages
//! (`layout.rs` gives them their final permissions in 64-bit code), enables SSE (CR4.OSFXSR,
//! CR4.OSXMMEXCPT, CR0.MP, CR0.EM clear; `fninit`), PAE and long mode, loads the boot GDT, and
//! continues in 64-bit code on the boot stack, where [`crate::long_mode_entry`] finishes the CPU
//! set-up in Rust. The 32-bit part uses no stack: PVH leaves `esp` undefined.

use crate::{paging, segments};
use x86_64::structures::paging::PageTableFlags;

/// Size of the stack that the boot code, `main` and everything it calls run on.
pub const BOOT_STACK_SIZE: usize = 64 * 1024;
const PAGE_SIZE: usize = 4096;

/// The boot stack with a guard page below it, which `layout::protect_image` unmaps so that
/// a stack overflow faults (and gets a crash report) instead of overwriting other data.
#[repr(C, align(4096))]
pub struct BootStack {
    pub guard: [u8; PAGE_SIZE],
    pub stack: [u8; BOOT_STACK_SIZE],
}

/// The boot stack; only the assembly below (which sets `rsp` to its end) and the guard-page
/// set-up touch it.
pub static mut BOOT_STACK: BootStack = BootStack {
    guard: [0; PAGE_SIZE],
    stack: [0; BOOT_STACK_SIZE],
};

/// Address of the boot stack's guard page (the first field of `BOOT_STACK`).
pub fn guard_page() -> u64 {
    core::ptr::addr_of!(BOOT_STACK) as u64
}

/// True if `address` is in the boot stack's guard page.
pub fn is_guard_page(address: u64) -> bool {
    (guard_page()..guard_page() + PAGE_SIZE as u64).contains(&address)
}

// XEN_ELFNOTE_PHYS32_ENTRY is note type 18; its descriptor is the 4-byte physical entry address.
// `.bss` is cleared here rather than trusted to the loader, so that any loader that only copies
// the file image still works. Registers kept across the 32-bit part: ebx = start_info,
// esi:ebp = TSC at entry.
core::arch::global_asm!(
    r#"
    .pushsection .note.Xen, "a", @note
    .balign 4
    .long 4
    .long 4
    .long 18
    .asciz "Xen"
    .balign 4
    .long _ukarch_pvh_start
    .popsection

    .pushsection .text.boot, "ax", @progbits
    .code32
    .globl _ukarch_pvh_start
    .type _ukarch_pvh_start, @function
_ukarch_pvh_start:
    cli
    cld
    rdtsc
    movl %eax, %esi
    movl %edx, %ebp

    movl $__bss_start, %edi
    movl $_end, %ecx
    subl %edi, %ecx
    movl %ecx, %edx
    shrl $2, %ecx
    xorl %eax, %eax
    rep stosl
    movl %edx, %ecx
    andl $3, %ecx
    rep stosb

    movl ${pdpt}, %eax
    orl ${table_flags}, %eax
    movl %eax, {pml4}

    movl ${pd}, %eax
    orl ${table_flags}, %eax
    movl ${pdpt}, %edi
    movl $4, %ecx
1:
    movl %eax, (%edi)
    addl $0x1000, %eax
    addl $8, %edi
    loop 1b

    movl ${pd}, %edi
    movl ${large_page_flags}, %eax
    movl $2048, %ecx
2:
    movl %eax, (%edi)
    addl $0x200000, %eax
    addl $8, %edi
    loop 2b

    movl ${pml4}, %eax
    movl %eax, %cr3

    movl %cr4, %eax
    orl $((1 << 5) | (1 << 9) | (1 << 10)), %eax
    movl %eax, %cr4

    movl $0xc0000080, %ecx
    rdmsr
    orl $(1 << 8), %eax
    wrmsr

    movl %cr0, %eax
    andl $~(1 << 2), %eax
    orl $((1 << 31) | (1 << 16) | (1 << 1) | (1 << 0)), %eax
    movl %eax, %cr0
    fninit

    lgdt {gdt_pointer}
    ljmp $0x08, $3f

    .code64
3:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    xorl %eax, %eax
    movl %eax, %fs
    movl %eax, %gs

    movabsq ${stack} + {stack_size}, %rsp
    movl %ebx, %edi
    movl %esi, %esi
    movl %ebp, %ebp
    shlq $32, %rbp
    orq %rbp, %rsi
    xorl %ebp, %ebp
    call {long_mode_entry}
    ud2
    .size _ukarch_pvh_start, . - _ukarch_pvh_start
    .popsection
"#,
    pml4 = sym paging::BOOT_PML4,
    pdpt = sym paging::BOOT_PDPT,
    pd = sym paging::BOOT_PD,
    gdt_pointer = sym segments::GDT_POINTER,
    stack = sym BOOT_STACK,
    stack_size = const PAGE_SIZE + BOOT_STACK_SIZE,
    table_flags = const paging::TABLE_FLAGS.bits(),
    large_page_flags = const paging::TABLE_FLAGS.union(PageTableFlags::HUGE_PAGE).bits(),
    long_mode_entry = sym crate::long_mode_entry,
    options(att_syntax)
);

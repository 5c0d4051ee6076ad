//! Segmentation: the GDT (64-bit code and data, one TSS) and the TSS with its IST stacks.
//!
//! Every IDT gate switches to an interrupt-stack-table stack (see `idt.rs`). This is what makes
//! interrupts safe under code compiled with a red zone (the sysroot's `core`): the CPU never
//! pushes below the interrupted stack pointer. Each class of event has its own stack so that a
//! fault in a handler does not overwrite the frame of the event it is handling.

use core::ptr::{addr_of, addr_of_mut};

/// Kernel code segment selector.
pub const KERNEL_CODE: u16 = 0x08;
/// TSS selector (16-byte descriptor in GDT slots 3 and 4).
const TSS_SELECTOR: u16 = 0x18;

/// IST slot (1-based, as the IDT gate encodes it) for double faults.
pub const IST_DOUBLE_FAULT: u8 = 1;
/// IST slot for NMIs.
pub const IST_NMI: u8 = 2;
/// IST slot for machine checks.
pub const IST_MACHINE_CHECK: u8 = 3;
/// IST slot for every other exception.
pub const IST_EXCEPTION: u8 = 4;
/// IST slot for external interrupts (vectors 32..255).
pub const IST_INTERRUPT: u8 = 5;
const IST_COUNT: usize = 5;
const IST_STACK_SIZE: usize = 16 * 1024;

/// Flat 64-bit descriptors; the accessed bits are preset so the CPU never writes to the table.
pub static mut GDT: [u64; 5] = [
    0,
    0x00af_9b00_0000_ffff, // code: present, DPL 0, execute/read, long mode
    0x00cf_9300_0000_ffff, // data: present, DPL 0, read/write
    0,                     // TSS, low half (filled in by `load`)
    0,                     // TSS, high half
];

/// Operand of `lgdt`; read by the 32-bit entry (6 bytes) and by 64-bit code (10 bytes).
#[repr(C, packed)]
pub struct DescriptorPointer {
    pub limit: u16,
    pub base: *const u64,
}

// SAFETY: the pointer is only ever read, by `lgdt`.
unsafe impl Sync for DescriptorPointer {}

pub static GDT_POINTER: DescriptorPointer = DescriptorPointer {
    limit: (core::mem::size_of::<[u64; 5]>() - 1) as u16,
    base: addr_of!(GDT) as *const u64,
};

/// The 64-bit task state segment.
#[repr(C, packed)]
struct TaskStateSegment {
    reserved0: u32,
    privilege_stacks: [u64; 3],
    reserved1: u64,
    interrupt_stacks: [u64; 7],
    reserved2: u64,
    reserved3: u16,
    io_map_base: u16,
}

const TSS_SIZE: usize = core::mem::size_of::<TaskStateSegment>();

static mut TSS: TaskStateSegment = TaskStateSegment {
    reserved0: 0,
    privilege_stacks: [0; 3],
    reserved1: 0,
    interrupt_stacks: [0; 7],
    reserved2: 0,
    reserved3: 0,
    // No I/O permission bitmap: the offset points past the segment's limit.
    io_map_base: TSS_SIZE as u16,
};

#[repr(C, align(16))]
struct InterruptStack([u8; IST_STACK_SIZE]);

static mut INTERRUPT_STACKS: [InterruptStack; IST_COUNT] =
    [const { InterruptStack([0; IST_STACK_SIZE]) }; IST_COUNT];

/// Fills the TSS (IST stack tops) and its GDT descriptor, then loads the task register.
///
/// # Safety
/// Call once on the boot CPU, after the boot GDT has been loaded.
pub unsafe fn load() {
    // SAFETY: single-threaded boot; nothing else references these statics yet.
    unsafe {
        let stacks = addr_of_mut!(INTERRUPT_STACKS) as *mut InterruptStack;
        let tss = addr_of_mut!(TSS);
        for slot in 0..IST_COUNT {
            let top = stacks.add(slot + 1) as u64;
            (*tss).interrupt_stacks[slot] = top;
        }
        let base = tss as u64;
        let limit = (TSS_SIZE - 1) as u64;
        let low = (limit & 0xffff)
            | ((base & 0xff_ffff) << 16)
            | (0x89 << 40) // present, 64-bit TSS (available)
            | (((limit >> 16) & 0xf) << 48)
            | (((base >> 24) & 0xff) << 56);
        let gdt = addr_of_mut!(GDT) as *mut u64;
        gdt.add(3).write_volatile(low);
        gdt.add(4).write_volatile(base >> 32);
        core::arch::asm!("ltr {0:x}", in(reg) TSS_SELECTOR, options(nostack, preserves_flags));
    }
}

//! Segmentation: the GDT (64-bit code and data, one TSS) and the TSS with its IST stacks.
//!
//! Every IDT gate switches to an interrupt-stack-table stack (see `idt.rs`). This is what makes
//! interrupts safe under code compiled with a red zone (the sysroot's `core`): the CPU never
//! pushes below the interrupted stack pointer. Each class of event has its own stack so that a
//! fault in a handler does not overwrite the frame of the event it is handling.

use core::ptr::{addr_of, addr_of_mut};
use x86_64::instructions::tables::load_tss;
use x86_64::registers::segmentation::SegmentSelector;
use x86_64::structures::gdt::{Descriptor, DescriptorFlags};
use x86_64::structures::tss::TaskStateSegment;
use x86_64::{PrivilegeLevel, VirtAddr};

/// Kernel code segment selector.
pub const KERNEL_CODE: u16 = 0x08;
/// GDT slot of the TSS (a 16-byte descriptor in slots 3 and 4).
const TSS_SLOT: u16 = 3;

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

/// Flat 64-bit descriptors (the `x86_64` crate's kernel code and data flags: present, DPL 0,
/// with the accessed bits preset so the CPU never writes to the table). A plain array rather
/// than the crate's `GlobalDescriptorTable` because the 32-bit entry loads it before any Rust
/// runs.
pub static mut GDT: [u64; 5] = [
    0,
    DescriptorFlags::KERNEL_CODE64.bits(),
    DescriptorFlags::KERNEL_DATA.bits(),
    0, // TSS, low half (filled in by `load`)
    0, // TSS, high half
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

static mut TSS: TaskStateSegment = TaskStateSegment::new();

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
            (*tss).interrupt_stack_table[slot] = VirtAddr::new(top);
        }
        let Descriptor::SystemSegment(low, high) = Descriptor::tss_segment_unchecked(tss) else {
            unreachable!("a TSS descriptor is a system segment");
        };
        let gdt = addr_of_mut!(GDT) as *mut u64;
        gdt.add(usize::from(TSS_SLOT)).write_volatile(low);
        gdt.add(usize::from(TSS_SLOT) + 1).write_volatile(high);
        load_tss(SegmentSelector::new(TSS_SLOT, PrivilegeLevel::Ring0));
    }
}

//! The interrupt descriptor table and the assembly entry stubs of all 256 vectors.
//!
//! Each vector has a 16-byte stub that pushes a zero error code when the CPU does not push one,
//! then the vector number, and jumps to a common path. The common path saves the general
//! registers (forming a [`TrapFrame`]) and the SSE state (`fxsave`, because Rust's `core` uses
//! SSE), calls [`crate::trap::dispatch`] and then [`crate::irq::after_interrupt`] (which may
//! change the frame: a signal delivered at an interrupt), restores everything and returns with
//! `iretq`. Every gate runs on an IST stack (see `segments.rs`).

use crate::segments::{
    IST_DOUBLE_FAULT, IST_EXCEPTION, IST_INTERRUPT, IST_MACHINE_CHECK, IST_NMI, KERNEL_CODE,
};
use core::ptr::addr_of_mut;

const VECTORS: usize = 256;
/// Size of one entry stub in `ukarch_trap_stubs`.
const STUB_SIZE: usize = 16;

/// Registers saved by the common trap path, lowest address first.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct TrapFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    pub vector: u64,
    pub error_code: u64,
    // Pushed by the CPU.
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

core::arch::global_asm!(
    r#"
    .pushsection .text.ukarch_trap, "ax", @progbits
    .balign 16
    .globl ukarch_trap_stubs
ukarch_trap_stubs:
    .set trap_vector, 0
    .rept 256
    .balign 16
    .if (trap_vector == 8) || ((trap_vector >= 10) && (trap_vector <= 14)) || (trap_vector == 17) || (trap_vector == 21) || (trap_vector == 29) || (trap_vector == 30)
    .else
    pushq $0
    .endif
    pushq $trap_vector
    jmp 1f
    .set trap_vector, trap_vector + 1
    .endr

    .balign 16
1:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    movq %rsp, %rdi
    movq %rsp, %rbx
    subq $512, %rsp
    andq $-16, %rsp
    fxsaveq (%rsp)
    call {dispatch}
    movq %rbx, %rdi
    movq %rsp, %rsi
    call {after_interrupt}
    fxrstorq (%rsp)
    movq %rbx, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp
    iretq
    .popsection
"#,
    dispatch = sym crate::trap::dispatch,
    after_interrupt = sym crate::irq::after_interrupt,
    options(att_syntax)
);

extern "C" {
    /// The stub table above: 256 stubs of `STUB_SIZE` bytes. Global only so that Rust can name
    /// it; it is not in `exports.txt`, so the pool build makes it private to this library.
    static ukarch_trap_stubs: [u8; VECTORS * STUB_SIZE];
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Gate {
    offset_low: u16,
    selector: u16,
    ist: u8,
    attributes: u8,
    offset_middle: u16,
    offset_high: u32,
    reserved: u32,
}

impl Gate {
    const EMPTY: Gate = Gate {
        offset_low: 0,
        selector: 0,
        ist: 0,
        attributes: 0,
        offset_middle: 0,
        offset_high: 0,
        reserved: 0,
    };

    /// A present, DPL 0, 64-bit interrupt gate (interrupts stay disabled in the handler).
    fn interrupt(handler: u64, ist: u8) -> Gate {
        Gate {
            offset_low: handler as u16,
            selector: KERNEL_CODE,
            ist,
            attributes: 0x8e,
            offset_middle: (handler >> 16) as u16,
            offset_high: (handler >> 32) as u32,
            reserved: 0,
        }
    }
}

static mut IDT: [Gate; VECTORS] = [Gate::EMPTY; VECTORS];

#[repr(C, packed)]
struct IdtPointer {
    limit: u16,
    base: u64,
}

/// The IST stack a vector runs on.
fn stack_for(vector: usize) -> u8 {
    match vector {
        2 => IST_NMI,
        8 => IST_DOUBLE_FAULT,
        18 => IST_MACHINE_CHECK,
        0..=31 => IST_EXCEPTION,
        _ => IST_INTERRUPT,
    }
}

/// Fills the IDT with the 256 stubs and loads it.
///
/// # Safety
/// Call once on the boot CPU, after `segments::load`.
pub unsafe fn load() {
    let stubs = core::ptr::addr_of!(ukarch_trap_stubs) as u64;
    // SAFETY: single-threaded boot; the IDT is not in use until `lidt` below.
    unsafe {
        let idt = addr_of_mut!(IDT) as *mut Gate;
        for vector in 0..VECTORS {
            let handler = stubs + (vector * STUB_SIZE) as u64;
            idt.add(vector)
                .write(Gate::interrupt(handler, stack_for(vector)));
        }
        let pointer = IdtPointer {
            limit: (core::mem::size_of::<[Gate; VECTORS]>() - 1) as u16,
            base: idt as u64,
        };
        core::arch::asm!("lidt [{0}]", in(reg) &pointer, options(readonly, nostack, preserves_flags));
    }
}

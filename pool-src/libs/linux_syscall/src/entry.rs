//! The `syscall` instruction in ring 0: `LSTAR` points at [`uk_syscall_entry`], which steps
//! over the caller's 128-byte red zone, saves every general register in a [`Frame`] (the
//! Linux ABI preserves all but rax, rcx and r11) and the SSE state through `fxsave`, calls
//! [`crate::table::uk_syscall_frame`] with both (a signal frame copies them), restores the caller's flags from r11 and jumps back to
//! rcx (`sysret` would drop to ring 3).
//!
//! The whole frame is handed to the table so that a call like `clone` can start a new thread
//! with the caller's registers. Its `rbp`/`rip` pair is a frame record, so backtraces taken in
//! a system call continue into the caller.
//!
//! In ring 0 `syscall` does not switch stacks: the handler runs on the caller's stack, below
//! its red zone (interrupts run on IST stacks, so they never touch it). `IA32_FMASK` clears
//! TF, DF and AC on entry; IF is left as it was.

use core::sync::atomic::{AtomicBool, Ordering};

const MSR_EFER: u32 = 0xC000_0080;
const MSR_STAR: u32 = 0xC000_0081;
const MSR_LSTAR: u32 = 0xC000_0082;
const MSR_FMASK: u32 = 0xC000_0084;
/// EFER.SCE: the `syscall` instruction is enabled.
const EFER_SCE: u64 = 1;
/// The kernel code selector loaded into CS by `syscall` (SS gets selector + 8, the data
/// segment of arch_x86_64's GDT).
const KERNEL_CODE: u64 = 0x08;
/// TF | DF | AC.
const FMASK: u64 = 0x100 | 0x400 | 0x4_0000;

/// The caller's registers at the `syscall` instruction (`struct uk_syscall_frame`).
pub use syscall_abi::Frame;

core::arch::global_asm!(
    ".globl uk_syscall_entry",
    ".type uk_syscall_entry, @function",
    ".p2align 4",
    ".globl uk_syscall_entry_start",
    "uk_syscall_entry_start:",
    "uk_syscall_entry:",
    "    mov byte ptr [rip + {in_program}], 0",
    "    sub rsp, 128",
    "    push r11",
    "    push rcx",
    "    push rbp",
    "    mov rbp, rsp",
    "    push rbx",
    "    push r12",
    "    push r13",
    "    push r14",
    "    push r15",
    "    push rdi",
    "    push rsi",
    "    push rdx",
    "    push r10",
    "    push r8",
    "    push r9",
    "    push rax",
    "    mov rbx, rsp",
    "    and rsp, -64",
    "    sub rsp, 512",
    "    fxsave64 [rsp]",
    "    mov rdi, rbx",
    "    mov rsi, rsp",
    "    cld",
    "    call uk_syscall_frame",
    "    fxrstor64 [rsp]",
    "    lea rsp, [rbx + 8]",
    "    pop r9",
    "    pop r8",
    "    pop r10",
    "    pop rdx",
    "    pop rsi",
    "    pop rdi",
    "    pop r15",
    "    pop r14",
    "    pop r13",
    "    pop r12",
    "    pop rbx",
    "    pop rbp",
    "    pop rcx",
    "    pop r11",
    // Restore the flags while still below the red zone, then leave without touching them.
    "    push r11",
    "    popfq",
    "    lea rsp, [rsp + 128]",
    "    mov byte ptr [rip + {in_program}], 1",
    "    jmp rcx",
    ".size uk_syscall_entry, . - uk_syscall_entry",
    "",
    // uk_syscall_resume(frame, rax, rsp): continues a (copied) frame as if its `syscall`
    // returned `rax`, with the stack pointer `rsp`. Threads that `clone` starts begin here.
    ".globl uk_syscall_resume",
    ".type uk_syscall_resume, @function",
    "uk_syscall_resume:",
    "    mov rax, rsi",
    "    lea rsp, [rdx - 128]",
    "    push qword ptr [rdi + 112]",
    "    mov rcx, [rdi + 104]",
    "    mov r11, [rsp]",
    "    mov rbp, [rdi + 96]",
    "    mov rbx, [rdi + 88]",
    "    mov r12, [rdi + 80]",
    "    mov r13, [rdi + 72]",
    "    mov r14, [rdi + 64]",
    "    mov r15, [rdi + 56]",
    "    mov rsi, [rdi + 40]",
    "    mov rdx, [rdi + 32]",
    "    mov r10, [rdi + 24]",
    "    mov r8, [rdi + 16]",
    "    mov r9, [rdi + 8]",
    "    mov rdi, [rdi + 48]",
    "    popfq",
    "    lea rsp, [rsp + 128]",
    "    mov byte ptr [rip + {in_program}], 1",
    "    jmp rcx",
    ".size uk_syscall_resume, . - uk_syscall_resume",
    ".globl uk_syscall_stubs_end",
    "uk_syscall_stubs_end:",
    in_program = sym UK_SYSCALL_IN_PROGRAM,
);

/// 1 while the program runs (from the moment a stub jumps back to it until its next `syscall`),
/// 0 while the system call layer or anything it waits for runs: one CPU, and every switch
/// between the two goes through the stubs here and in [`crate::signal_frame`]. An interrupt
/// delivers a signal only to the program ([`crate::signal_frame::at_interrupt`]).
#[no_mangle]
pub static UK_SYSCALL_IN_PROGRAM: core::sync::atomic::AtomicU8 =
    core::sync::atomic::AtomicU8::new(0);

extern "C" {
    /// The first and one past the last byte of this file's stubs.
    pub fn uk_syscall_entry_start();
    pub fn uk_syscall_stubs_end();
}

extern "C" {
    fn uk_syscall_entry();
}

fn read_msr(msr: u32) -> u64 {
    let (low, high): (u32, u32);
    // SAFETY: reading these architectural MSRs has no side effect.
    unsafe {
        core::arch::asm!("rdmsr", in("ecx") msr, out("eax") low, out("edx") high,
            options(nostack, nomem, preserves_flags))
    };
    u64::from(high) << 32 | u64::from(low)
}

/// # Safety
/// `value` must be valid for `msr`; the caller owns the consequences (here: how `syscall`
/// behaves).
unsafe fn write_msr(msr: u32, value: u64) {
    // SAFETY: the caller guarantees a valid value.
    unsafe {
        core::arch::asm!("wrmsr", in("ecx") msr, in("eax") value as u32,
            in("edx") (value >> 32) as u32, options(nostack, preserves_flags))
    };
}

static ENABLED: AtomicBool = AtomicBool::new(false);

/// True when the code runs in ring 0 (kvm, xen), false in a Linux process (linuxu).
pub fn in_ring0() -> bool {
    let cs: u16;
    // SAFETY: reads the code segment selector.
    unsafe {
        core::arch::asm!("mov {0:x}, cs", out(reg) cs, options(nomem, nostack, preserves_flags))
    };
    cs & 3 == 0
}

/// Points `syscall` at the entry stub.
pub fn enable() {
    if ENABLED.swap(true, Ordering::Relaxed) {
        return;
    }
    // SAFETY: STAR's CS field is the GDT's 64-bit code selector (SS = +8 is its data
    // selector); LSTAR is the stub above; FMASK only clears TF/DF/AC; SCE enables `syscall`.
    unsafe {
        write_msr(MSR_STAR, KERNEL_CODE << 32);
        write_msr(MSR_LSTAR, uk_syscall_entry as *const () as u64);
        write_msr(MSR_FMASK, FMASK);
        write_msr(MSR_EFER, read_msr(MSR_EFER) | EFER_SCE);
    }
}

//! The `syscall` instruction in ring 0: `LSTAR` points at [`uk_syscall_entry`], which steps
//! over the caller's 128-byte red zone, saves every register the Linux ABI preserves (all but
//! rax, rcx and r11, SSE state included through `fxsave`), calls [`crate::table`], restores
//! the caller's flags from r11 and jumps back to rcx (`sysret` would drop to ring 3).
//!
//! In ring 0 `syscall` does not switch stacks: the handler runs on the caller's stack, below
//! its red zone. `IA32_FMASK` clears TF, DF and AC on entry; IF is left as it was.

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

core::arch::global_asm!(
    ".globl uk_syscall_entry",
    ".type uk_syscall_entry, @function",
    ".p2align 4",
    "uk_syscall_entry:",
    "    sub rsp, 128",
    "    push rbp",
    "    mov rbp, rsp",
    "    push rcx",
    "    push r11",
    "    push rdi",
    "    push rsi",
    "    push rdx",
    "    push r10",
    "    push r8",
    "    push r9",
    "    and rsp, -64",
    "    sub rsp, 512",
    "    fxsave64 [rsp]",
    // uk_syscall(nr, a0, a1, a2, a3, a4, a5): the seventh argument goes on the stack.
    "    sub rsp, 16",
    "    mov [rsp], r9",
    "    mov r9, r8",
    "    mov r8, r10",
    "    mov rcx, rdx",
    "    mov rdx, rsi",
    "    mov rsi, rdi",
    "    mov rdi, rax",
    "    cld",
    "    call uk_syscall",
    "    add rsp, 16",
    "    fxrstor64 [rsp]",
    "    lea rsp, [rbp - 64]",
    "    pop r9",
    "    pop r8",
    "    pop r10",
    "    pop rdx",
    "    pop rsi",
    "    pop rdi",
    "    pop r11",
    "    pop rcx",
    "    pop rbp",
    // Restore the flags while still below the red zone, then leave without touching them.
    "    push r11",
    "    popfq",
    "    lea rsp, [rsp + 128]",
    "    jmp rcx",
    ".size uk_syscall_entry, . - uk_syscall_entry",
);

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

//! Thread contexts for schedulers: `ukarch_ctx_init` prepares a new stack and
//! `ukarch_ctx_switch` swaps stacks.
//!
//! The switch is an ordinary function call, so it saves only what the System V ABI makes
//! callee-saved: `rbx`, `rbp`, `r12`–`r15`, the x87 control word and the MXCSR control bits. The
//! SSE and x87 data registers are caller-saved (the caller spilled whatever it still needs, and
//! the x87 stack is empty at every call), so a full `fxsave` would only add 1 KiB of copying per
//! switch. An interrupted context's full SSE state is saved by the trap entry instead. The FS
//! base (TLS pointer) is switched too, with an MSR write only when it differs.
//!
//! Saved frame, from the saved stack pointer up: x87 control word (8 bytes), MXCSR (8 bytes),
//! r15, r14, r13, r12, rbx, rbp, return address.

/// `struct ukarch_ctx`.
#[repr(C)]
pub struct Context {
    pub sp: u64,
    pub fs_base: u64,
}

/// Default x87 control word (as after `fninit`) and MXCSR (all exceptions masked).
const DEFAULT_FCW: u64 = 0x37f;
const DEFAULT_MXCSR: u64 = 0x1f80;
/// Bytes of the saved frame: 2 control slots, 6 registers, the return address.
const FRAME_WORDS: usize = 9;

core::arch::global_asm!(
    r#"
    .pushsection .text.ukarch_ctx, "ax", @progbits
    .globl ukarch_ctx_switch
    .type ukarch_ctx_switch, @function
ukarch_ctx_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $16, %rsp
    stmxcsr 8(%rsp)
    fnstcw (%rsp)
    movq %rsp, (%rdi)
    movl $0xc0000100, %ecx
    rdmsr
    shlq $32, %rdx
    orq %rax, %rdx
    movq %rdx, 8(%rdi)
    movq 8(%rsi), %rax
    cmpq %rax, %rdx
    je 1f
    movq %rax, %rdx
    shrq $32, %rdx
    wrmsr
1:
    movq (%rsi), %rsp
    fldcw (%rsp)
    ldmxcsr 8(%rsp)
    addq $16, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size ukarch_ctx_switch, . - ukarch_ctx_switch

    .type ukarch_ctx_start, @function
ukarch_ctx_start:
    movq %r13, %rdi
    call *%r12
    ud2
    .size ukarch_ctx_start, . - ukarch_ctx_start
    .popsection
"#,
    options(att_syntax)
);

extern "C" {
    fn ukarch_ctx_start();
}

/// Prepares `ctx` so that the first [`ukarch_ctx_switch`] to it calls `entry(arg)` on the stack
/// that ends at `stack_top` (rounded down to 16 bytes), with a clean frame-pointer chain, the
/// default x87/SSE control state and FS base 0. `entry` must not return.
///
/// # Safety
/// `ctx` is writable; the 128 bytes below `stack_top` are writable stack that stays reserved for
/// this context.
#[no_mangle]
pub unsafe extern "C" fn ukarch_ctx_init(
    ctx: *mut Context,
    stack_top: u64,
    entry: extern "C" fn(arg: *mut core::ffi::c_void) -> !,
    arg: *mut core::ffi::c_void,
) {
    let top = stack_top & !15;
    // After the switch's `ret`, rsp = top - 16: 16-byte aligned at `ukarch_ctx_start`'s call.
    let frame = (top - 16 - (FRAME_WORDS as u64) * 8) as *mut u64;
    let words: [u64; FRAME_WORDS + 2] = [
        DEFAULT_FCW,
        DEFAULT_MXCSR,
        0,                                    // r15
        0,                                    // r14
        arg as u64,                           // r13
        entry as *const () as u64,            // r12
        0,                                    // rbx
        0,                                    // rbp: ends backtraces
        ukarch_ctx_start as *const () as u64, // return address of the first switch
        0,                                    // a null return address above the start frame
        0,
    ];
    // SAFETY: the caller reserves the stack below `stack_top`; `frame` lies within 128 bytes
    // of it, and `ctx` is writable.
    unsafe {
        for (index, word) in words.iter().enumerate() {
            frame.add(index).write(*word);
        }
        ctx.write(Context {
            sp: frame as u64,
            fs_base: 0,
        });
    }
}

extern "C" {
    /// Saves the callee-saved state on the current stack, stores the stack pointer and FS base
    /// in `*prev`, and resumes `*next`. Returns when something switches back to `prev`.
    pub fn ukarch_ctx_switch(prev: *mut Context, next: *const Context);
}

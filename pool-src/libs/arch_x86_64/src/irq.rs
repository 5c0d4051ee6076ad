//! Interrupt control: the interrupt flag, the only legitimate `hlt`, and the table of handlers
//! for external vectors (32–255), which the platform fills for the vectors it programs.
//!
//! Handlers run from the common trap path (`idt.rs`) on the interrupt IST stack, with
//! interrupts disabled, after the SSE state was saved and the direction flag cleared.

use core::ffi::c_void;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// First vector that is not an exception.
const FIRST_EXTERNAL: u32 = 32;
const VECTORS: usize = 256;
/// RFLAGS.IF.
const INTERRUPT_FLAG: u64 = 1 << 9;
const EINVAL: i32 = -22;

/// A vector handler: `fn(vector, arg)`.
pub type VectorHandler = extern "C" fn(vector: u32, arg: *mut c_void);

static HANDLERS: [AtomicUsize; VECTORS] = [const { AtomicUsize::new(0) }; VECTORS];
static ARGUMENTS: [AtomicPtr<c_void>; VECTORS] =
    [const { AtomicPtr::new(core::ptr::null_mut()) }; VECTORS];

/// Runs the handler of `vector`, if one is registered; false otherwise.
pub fn dispatch(vector: u64) -> bool {
    let Some(index) = usize::try_from(vector).ok().filter(|&v| v < VECTORS) else {
        return false;
    };
    let handler = HANDLERS[index].load(Ordering::Acquire);
    if handler == 0 {
        return false;
    }
    // SAFETY: only `ukarch_vector_register` stores non-zero values, and it stores function
    // pointers of type `VectorHandler`.
    let handler: VectorHandler = unsafe { core::mem::transmute::<usize, VectorHandler>(handler) };
    handler(vector as u32, ARGUMENTS[index].load(Ordering::Acquire));
    true
}

/// `hook(frame, fpstate)`, run at the end of every external interrupt with the interrupted
/// code's registers (`struct ukarch_trap_frame`, which `iretq` then restores, so the hook
/// may change where it resumes) and its 512-byte `fxsave` image.
pub type ReturnHook = unsafe extern "C" fn(frame: *mut c_void, fpstate: *mut u8);

static RETURN_HOOK: AtomicUsize = AtomicUsize::new(0);

/// Makes `hook` run at the end of every external interrupt (linux_syscall registers one that
/// delivers a due signal to the interrupted program); NULL removes it.
#[no_mangle]
pub extern "C" fn ukarch_irq_return_hook(hook: Option<ReturnHook>) {
    RETURN_HOOK.store(hook.map_or(0, |h| h as usize), Ordering::Release);
}

/// Called by the trap path after every trap, with interrupts disabled: runs the return hook
/// for external interrupts.
pub extern "C" fn after_interrupt(frame: &mut crate::idt::TrapFrame, fpstate: *mut u8) {
    if frame.vector < u64::from(FIRST_EXTERNAL) {
        return;
    }
    let hook = RETURN_HOOK.load(Ordering::Acquire);
    if hook != 0 {
        // SAFETY: only `ukarch_irq_return_hook` stores non-zero values, of type `ReturnHook`.
        let hook: ReturnHook = unsafe { core::mem::transmute::<usize, ReturnHook>(hook) };
        // SAFETY: the live frame and SSE image of this trap.
        unsafe { hook((frame as *mut crate::idt::TrapFrame).cast(), fpstate) };
    }
}

/// Sets (or, with a NULL `handler`, clears) the handler of an external vector (32–255).
/// Returns 0, or -22 (EINVAL) for an exception vector or one out of range.
#[no_mangle]
pub extern "C" fn ukarch_vector_register(
    vector: u32,
    handler: Option<VectorHandler>,
    arg: *mut c_void,
) -> i32 {
    if !(FIRST_EXTERNAL..VECTORS as u32).contains(&vector) {
        return EINVAL;
    }
    let flags = ukarch_irq_save();
    ARGUMENTS[vector as usize].store(arg, Ordering::Release);
    HANDLERS[vector as usize].store(handler.map_or(0, |h| h as usize), Ordering::Release);
    ukarch_irq_restore(flags);
    0
}

fn read_flags() -> u64 {
    let flags: u64;
    // SAFETY: reads RFLAGS through the stack (`pushfq` writes below rsp, which is allowed in
    // inline asm without `nostack`).
    unsafe {
        core::arch::asm!("pushfq", "pop {}", out(reg) flags, options(nomem, preserves_flags))
    };
    flags
}

/// Disables interrupts and returns the previous state for [`ukarch_irq_restore`].
#[no_mangle]
pub extern "C" fn ukarch_irq_save() -> u64 {
    let flags = read_flags();
    ukarch_irq_disable();
    flags & INTERRUPT_FLAG
}

/// Re-enables interrupts if `flags` (from [`ukarch_irq_save`]) says they were enabled.
#[no_mangle]
pub extern "C" fn ukarch_irq_restore(flags: u64) {
    if flags & INTERRUPT_FLAG != 0 {
        ukarch_irq_enable();
    }
}

/// `sti`.
#[no_mangle]
pub extern "C" fn ukarch_irq_enable() {
    // SAFETY: enabling interrupts is the kernel's choice; every gate has a handler and a stack.
    // Not `nomem`: memory accesses must not move across it.
    unsafe { core::arch::asm!("sti", options(nostack)) };
}

/// `cli`.
#[no_mangle]
pub extern "C" fn ukarch_irq_disable() {
    // SAFETY: disabling interrupts has no other effect; a compiler barrier as well.
    unsafe { core::arch::asm!("cli", options(nostack)) };
}

/// 1 if interrupts are enabled, else 0.
#[no_mangle]
pub extern "C" fn ukarch_irq_enabled() -> i32 {
    i32::from(read_flags() & INTERRUPT_FLAG != 0)
}

/// Enables interrupts and halts until one has been handled, then disables them again. `sti`
/// delays interrupts by one instruction, so none can slip in between the caller's last check
/// (made with interrupts disabled) and the `hlt`. The image's only legitimate `hlt`.
#[no_mangle]
pub extern "C" fn ukarch_halt_irq() {
    // SAFETY: the interrupt that ends the `hlt` runs its handler on the IST stack and returns
    // here; memory may change meanwhile (no `nomem`).
    unsafe { core::arch::asm!("sti", "hlt", "cli", options(nostack)) };
}

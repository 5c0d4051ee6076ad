//! The platform's idle hook for images without a scheduler: a caller polling for a device
//! (netstack's blocking calls) halts the CPU until the next interrupt instead of spinning, as
//! long as some device interrupt handler could end the halt. The halt is bounded by
//! `IDLE_SLICE_NS` so that whatever the caller also waits for by time (a protocol timer, a
//! poll timeout) is checked at least that often. schedcoop replaces this hook with its own,
//! which runs the other threads first.

use crate::{clock, irq};

/// The longest halt of one `uk_idle` call.
pub const IDLE_SLICE_NS: u64 = 1_000_000;

extern "C" {
    fn uk_idle_set(hook: Option<extern "C" fn()>);
    fn uk_idle_take_wake() -> i32;
    fn ukarch_irq_save() -> u64;
    fn ukarch_irq_restore(flags: u64);
}

/// Makes `halt` boot's idle hook (before the init table runs, so a scheduler's wins).
pub fn install() {
    // SAFETY: `halt` may be called from any thread context.
    unsafe { uk_idle_set(Some(halt)) };
}

/// Halts until a device interrupt or `IDLE_SLICE_NS`, unless a device interrupt came since the
/// last halt; without device handlers, a spin-loop pause (nothing but the clock could wake).
extern "C" fn halt() {
    if irq::device_handlers() == 0 {
        core::hint::spin_loop();
        return;
    }
    // SAFETY: saving and clearing the interrupt flag; restored below.
    let flags = unsafe { ukarch_irq_save() };
    // SAFETY: boot's flag; interrupts are disabled, so no interrupt slips in between the check
    // and the halt (`sti; hlt` takes pending interrupts).
    unsafe {
        if uk_idle_take_wake() == 0 {
            crate::ukplat_halt_irq_until(clock::monotonic_ns() + IDLE_SLICE_NS);
            uk_idle_take_wake();
        }
        ukarch_irq_restore(flags);
    }
}

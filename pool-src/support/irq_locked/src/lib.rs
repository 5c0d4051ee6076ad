//! Global state touched only with interrupts disabled: on the one CPU of kvm and xen, with
//! cooperative threads, nothing else runs meanwhile — not another thread, not an interrupt
//! handler, not a signal handler delivered at an interrupt. linux_thread and linux_ipc keep
//! their tables this way (linux_syscall's own state uses a spin lock instead, because on
//! linuxu several host threads reach it at once).
//!
//! Imports the architecture's `ukarch_irq_save` and `ukarch_irq_restore`.

#![no_std]

use core::cell::UnsafeCell;

extern "C" {
    fn ukarch_irq_save() -> u64;
    fn ukarch_irq_restore(flags: u64);
}

/// A global whose every access goes through [`Locked::with`].
pub struct Locked<T>(UnsafeCell<T>);

// SAFETY: every access goes through `with`, which disables interrupts on the only CPU; threads
// are cooperative, and `with` callers never block inside.
unsafe impl<T> Sync for Locked<T> {}

impl<T> Locked<T> {
    pub const fn new(value: T) -> Self {
        Locked(UnsafeCell::new(value))
    }

    /// Runs `f` with exclusive access. `f` must not block or re-enter this global.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        // SAFETY: saving and restoring the interrupt flag has no other effect; with interrupts
        // off and no blocking inside `f`, no other borrow exists.
        unsafe {
            let flags = ukarch_irq_save();
            let result = f(&mut *self.0.get());
            ukarch_irq_restore(flags);
            result
        }
    }
}

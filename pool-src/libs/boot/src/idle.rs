//! The idle hook: `uk_idle` is what a caller that polls for something (a socket, a device)
//! calls between polls so that other work may run, or the CPU halt until something happens.
//! The platform may register a hook that halts until the next device interrupt (plat_kvm does),
//! a scheduler replaces it with one that runs the other threads first (schedcoop); without any,
//! `uk_idle` is a spin-loop pause.
//!
//! The wake flag closes the race between a poll that found nothing and the halt that follows:
//! the platform sets it (`uk_idle_wake`) whenever a device interrupt is handled, and a halting
//! hook takes it (`uk_idle_take_wake`) with interrupts disabled before halting: if an interrupt
//! came since the last halt, the hook returns at once so that the caller polls again.

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The registered hook (0: none).
static HOOK: AtomicUsize = AtomicUsize::new(0);

/// Set by a device interrupt since the last `uk_idle_take_wake`.
static WAKE: AtomicBool = AtomicBool::new(false);

/// Notes that a device interrupt was handled (called from interrupt context).
#[no_mangle]
pub extern "C" fn uk_idle_wake() {
    WAKE.store(true, Ordering::Relaxed);
}

/// Whether a device interrupt was handled since the last call (1) or not (0); clears the flag.
#[no_mangle]
pub extern "C" fn uk_idle_take_wake() -> i32 {
    WAKE.swap(false, Ordering::Relaxed) as i32
}

/// Registers the function `uk_idle` calls (NULL: none); the last registration wins.
#[no_mangle]
pub extern "C" fn uk_idle_set(hook: Option<extern "C" fn()>) {
    HOOK.store(hook.map_or(0, |hook| hook as usize), Ordering::Relaxed);
}

/// Lets other work run: calls the registered hook, or pauses for a moment without one.
#[no_mangle]
pub extern "C" fn uk_idle() {
    let hook = HOOK.load(Ordering::Relaxed);
    if hook == 0 {
        core::hint::spin_loop();
        return;
    }
    // SAFETY: a non-zero value was stored by `uk_idle_set` from an `extern "C" fn()`.
    let hook: extern "C" fn() = unsafe { core::mem::transmute::<usize, extern "C" fn()>(hook) };
    hook();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    static CALLS: AtomicU32 = AtomicU32::new(0);

    extern "C" fn count() {
        CALLS.fetch_add(1, Ordering::Relaxed);
    }

    #[test]
    fn idle_calls_the_last_hook_set() {
        uk_idle();
        assert_eq!(CALLS.load(Ordering::Relaxed), 0);
        uk_idle_set(Some(count));
        uk_idle();
        uk_idle();
        assert_eq!(CALLS.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_wake_is_taken_once() {
        assert_eq!(uk_idle_take_wake(), 0);
        uk_idle_wake();
        uk_idle_wake();
        assert_eq!(uk_idle_take_wake(), 1);
        assert_eq!(uk_idle_take_wake(), 0);
    }
}

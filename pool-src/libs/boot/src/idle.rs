//! The idle hook: `uk_idle` is what a caller that polls for something (a socket, a device)
//! calls between polls so that other work may run. A scheduler registers its yield with
//! `uk_idle_set`; without one, `uk_idle` is a spin-loop pause.

use core::sync::atomic::{AtomicUsize, Ordering};

/// The registered hook (0: none).
static HOOK: AtomicUsize = AtomicUsize::new(0);

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
}

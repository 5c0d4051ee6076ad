//! Global mutable state, one borrow at a time. On kvm and xen one CPU runs cooperative threads
//! and no call blocks while it holds a borrow, so the lock is never contended; on linuxu
//! (host threads, calls trapped from several threads at once) it serializes them.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

/// A global that system calls borrow one at a time.
pub struct Global<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: `with` hands out one borrow at a time (the lock), and nothing borrowed from the
// value outlives the closure: callers copy out plain values (descriptions' `Rc`s are cloned
// and dropped inside), so `T` is only ever touched by the lock holder.
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    pub const fn new(value: T) -> Self {
        Global {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `f` with exclusive access. `f` must not block, nor borrow the same global again
    /// (that would wait forever).
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        // SAFETY: the lock is ours until the store below.
        let result = f(unsafe { &mut *self.value.get() });
        self.locked.store(false, Ordering::Release);
        result
    }
}

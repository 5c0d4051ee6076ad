//! Global mutable state for a single CPU without preemption inside system calls.

use core::cell::UnsafeCell;

/// A global that system calls borrow one at a time.
pub struct Global<T>(UnsafeCell<T>);

// SAFETY: the pool runs system calls on one CPU, one at a time, with nothing preempting them
// (see the crate documentation); no two borrows overlap.
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    pub const fn new(value: T) -> Self {
        Global(UnsafeCell::new(value))
    }

    /// Runs `f` with exclusive access. Callers never nest borrows of the same global.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        // SAFETY: see the `Sync` impl: calls are serialized and do not re-enter a global.
        f(unsafe { &mut *self.0.get() })
    }
}

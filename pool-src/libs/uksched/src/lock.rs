//! Mutexes (FIFO hand-over, optionally recursive) and counting semaphores over wait queues.

use crate::ffi::{without_interrupts, EAGAIN, EBUSY, EDEADLK, EPERM};
use crate::thread::{current, Thread};
use crate::waitq::{wait_locked, wake_one_locked, WaitQueue, FOREVER};
use core::ptr;

const RECURSIVE: u32 = 0x1;

/// `struct uk_mutex`.
#[repr(C)]
pub struct Mutex {
    owner: *mut Thread,
    depth: u32,
    flags: u32,
    waiters: WaitQueue,
}

/// # Safety
/// `mutex` is writable and not in use.
#[no_mangle]
pub unsafe extern "C" fn uk_mutex_init(mutex: *mut Mutex, flags: u32) {
    // SAFETY: the caller's contract.
    unsafe {
        mutex.write(Mutex {
            owner: ptr::null_mut(),
            depth: 0,
            flags,
            waiters: WaitQueue::new(),
        })
    };
}

/// # Safety
/// `mutex` is a valid, initialised mutex.
#[no_mangle]
pub unsafe extern "C" fn uk_mutex_lock(mutex: *mut Mutex) -> i32 {
    let me = current();
    // SAFETY: interrupts are disabled while the mutex is examined; hand-over makes the waker
    // set `owner` to us before we run again.
    without_interrupts(|| unsafe {
        let m = &mut *mutex;
        if m.owner.is_null() {
            m.owner = me;
            m.depth = 1;
        } else if m.owner == me {
            if m.flags & RECURSIVE == 0 {
                return -EDEADLK;
            }
            m.depth += 1;
        } else {
            while (*mutex).owner != me {
                wait_locked(&mut (*mutex).waiters, FOREVER);
            }
        }
        0
    })
}

/// # Safety
/// As for [`uk_mutex_lock`].
#[no_mangle]
pub unsafe extern "C" fn uk_mutex_trylock(mutex: *mut Mutex) -> i32 {
    let me = current();
    // SAFETY: as in `uk_mutex_lock`.
    without_interrupts(|| unsafe {
        let m = &mut *mutex;
        if m.owner.is_null() {
            m.owner = me;
            m.depth = 1;
            0
        } else if m.owner == me && m.flags & RECURSIVE != 0 {
            m.depth += 1;
            0
        } else {
            -EBUSY
        }
    })
}

/// # Safety
/// As for [`uk_mutex_lock`].
#[no_mangle]
pub unsafe extern "C" fn uk_mutex_unlock(mutex: *mut Mutex) -> i32 {
    let me = current();
    // SAFETY: as in `uk_mutex_lock`.
    without_interrupts(|| unsafe {
        let m = &mut *mutex;
        if m.owner != me {
            return -EPERM;
        }
        m.depth -= 1;
        if m.depth == 0 {
            let next = wake_one_locked(&mut m.waiters);
            m.owner = next;
            m.depth = u32::from(!next.is_null());
        }
        0
    })
}

/// # Safety
/// As for [`uk_mutex_lock`].
#[no_mangle]
pub unsafe extern "C" fn uk_mutex_is_locked(mutex: *const Mutex) -> i32 {
    // SAFETY: a plain read.
    i32::from(unsafe { !(*mutex).owner.is_null() })
}

/// `struct uk_semaphore`.
#[repr(C)]
pub struct Semaphore {
    count: i64,
    waiters: WaitQueue,
}

/// # Safety
/// `semaphore` is writable and not in use.
#[no_mangle]
pub unsafe extern "C" fn uk_semaphore_init(semaphore: *mut Semaphore, count: i64) {
    // SAFETY: the caller's contract.
    unsafe {
        semaphore.write(Semaphore {
            count,
            waiters: WaitQueue::new(),
        })
    };
}

/// # Safety
/// `semaphore` is a valid, initialised semaphore.
#[no_mangle]
pub unsafe extern "C" fn uk_semaphore_down_until(
    semaphore: *mut Semaphore,
    deadline_ns: u64,
) -> i32 {
    // SAFETY: interrupts are disabled while the count is examined.
    without_interrupts(|| unsafe {
        while (*semaphore).count <= 0 {
            let status = wait_locked(&mut (*semaphore).waiters, deadline_ns);
            if status != 0 && (*semaphore).count <= 0 {
                return status;
            }
        }
        (*semaphore).count -= 1;
        0
    })
}

/// # Safety
/// As for [`uk_semaphore_down_until`].
#[no_mangle]
pub unsafe extern "C" fn uk_semaphore_down(semaphore: *mut Semaphore) {
    // SAFETY: the caller's contract.
    unsafe { uk_semaphore_down_until(semaphore, FOREVER) };
}

/// # Safety
/// As for [`uk_semaphore_down_until`].
#[no_mangle]
pub unsafe extern "C" fn uk_semaphore_trydown(semaphore: *mut Semaphore) -> i32 {
    // SAFETY: as in `uk_semaphore_down_until`.
    without_interrupts(|| unsafe {
        if (*semaphore).count <= 0 {
            return -EAGAIN;
        }
        (*semaphore).count -= 1;
        0
    })
}

/// Adds one to the count and wakes a waiter; allowed in interrupt handlers.
///
/// # Safety
/// As for [`uk_semaphore_down_until`].
#[no_mangle]
pub unsafe extern "C" fn uk_semaphore_up(semaphore: *mut Semaphore) {
    // SAFETY: as in `uk_semaphore_down_until`.
    without_interrupts(|| unsafe {
        (*semaphore).count += 1;
        wake_one_locked(&mut (*semaphore).waiters);
    });
}

/// # Safety
/// As for [`uk_semaphore_down_until`].
#[no_mangle]
pub unsafe extern "C" fn uk_semaphore_value(semaphore: *const Semaphore) -> i64 {
    // SAFETY: a plain read.
    unsafe { (*semaphore).count }
}

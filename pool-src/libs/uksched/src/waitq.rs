//! Wait queues: FIFO lists of waiters, each living on its waiting thread's stack.

use crate::ffi::{self, without_interrupts, ETIMEDOUT};
use crate::ops;
use crate::thread::{current, Thread, BLOCKED, RUNNABLE};
use core::ptr;

/// `UK_WAIT_FOREVER`.
pub const FOREVER: u64 = u64::MAX;

/// `struct uk_waitq`.
#[repr(C)]
pub struct WaitQueue {
    first: *mut Waiter,
    last: *mut Waiter,
}

impl WaitQueue {
    pub const fn new() -> WaitQueue {
        WaitQueue {
            first: ptr::null_mut(),
            last: ptr::null_mut(),
        }
    }
}

/// One waiting thread (`struct uk_waiter`, opaque in C).
struct Waiter {
    thread: *mut Thread,
    next: *mut Waiter,
    woken: bool,
}

/// Blocks the current thread on `queue` until woken (0) or `deadline_ns` (-ETIMEDOUT).
/// Interrupts must be disabled.
pub fn wait_locked(queue: *mut WaitQueue, deadline_ns: u64) -> i32 {
    let thread = current();
    let mut waiter = Waiter {
        thread,
        next: ptr::null_mut(),
        woken: false,
    };
    let node: *mut Waiter = &mut waiter;
    // SAFETY: interrupts are disabled, so the queue and the threads are ours; the waiter stays
    // on this stack frame until it is off the queue again.
    unsafe {
        if deadline_ns != FOREVER && ffi::now() >= deadline_ns {
            return -ETIMEDOUT;
        }
        if (*queue).last.is_null() {
            (*queue).first = node;
        } else {
            (*(*queue).last).next = node;
        }
        (*queue).last = node;
        while !(*node).woken && (deadline_ns == FOREVER || ffi::now() < deadline_ns) {
            (*thread).sched.state = BLOCKED;
            (*thread).sched.wakeup_ns = deadline_ns;
            ops::schedule();
        }
        (*thread).sched.state = RUNNABLE;
        (*thread).sched.wakeup_ns = FOREVER;
        if (*node).woken {
            0
        } else {
            remove(queue, node);
            -ETIMEDOUT
        }
    }
}

/// # Safety
/// Interrupts disabled; `node` is on `queue`.
unsafe fn remove(queue: *mut WaitQueue, node: *mut Waiter) {
    // SAFETY: the caller's contract; every node on the queue is a live waiter.
    unsafe {
        let mut previous: *mut Waiter = ptr::null_mut();
        let mut cursor = (*queue).first;
        while !cursor.is_null() && cursor != node {
            previous = cursor;
            cursor = (*cursor).next;
        }
        if cursor.is_null() {
            return;
        }
        if previous.is_null() {
            (*queue).first = (*node).next;
        } else {
            (*previous).next = (*node).next;
        }
        if (*queue).last == node {
            (*queue).last = previous;
        }
    }
}

/// Wakes the first waiter and returns its thread (null if none). Interrupts must be disabled.
pub fn wake_one_locked(queue: *mut WaitQueue) -> *mut Thread {
    // SAFETY: interrupts are disabled; nodes on the queue are live waiters whose threads are
    // blocked in `wait_locked`.
    unsafe {
        let node = (*queue).first;
        if node.is_null() {
            return ptr::null_mut();
        }
        (*queue).first = (*node).next;
        if (*queue).first.is_null() {
            (*queue).last = ptr::null_mut();
        }
        let thread = (*node).thread;
        (*node).woken = true;
        (*thread).sched.state = RUNNABLE;
        ops::ready(thread);
        thread
    }
}

/// Wakes every waiter; returns how many. Interrupts must be disabled.
pub fn wake_all_locked(queue: *mut WaitQueue) -> i32 {
    let mut woken = 0;
    while !wake_one_locked(queue).is_null() {
        woken += 1;
    }
    woken
}

/// Empties a wait queue.
///
/// # Safety
/// `queue` is writable and has no waiters.
#[no_mangle]
pub unsafe extern "C" fn uk_waitq_init(queue: *mut WaitQueue) {
    // SAFETY: the caller's contract.
    unsafe { queue.write(WaitQueue::new()) };
}

/// Blocks until woken or the deadline.
///
/// # Safety
/// `queue` is a valid wait queue that outlives the wait.
#[no_mangle]
pub unsafe extern "C" fn uk_waitq_wait(queue: *mut WaitQueue, deadline_ns: u64) -> i32 {
    without_interrupts(|| wait_locked(queue, deadline_ns))
}

/// [`uk_waitq_wait`] for callers that already disabled interrupts.
///
/// # Safety
/// As for [`uk_waitq_wait`]; interrupts are disabled.
#[no_mangle]
pub unsafe extern "C" fn uk_waitq_wait_locked(queue: *mut WaitQueue, deadline_ns: u64) -> i32 {
    wait_locked(queue, deadline_ns)
}

/// Wakes the first waiter; returns 1, or 0 if there was none.
///
/// # Safety
/// `queue` is a valid wait queue.
#[no_mangle]
pub unsafe extern "C" fn uk_waitq_wake_one(queue: *mut WaitQueue) -> i32 {
    without_interrupts(|| i32::from(!wake_one_locked(queue).is_null()))
}

/// Wakes every waiter; returns how many.
///
/// # Safety
/// `queue` is a valid wait queue.
#[no_mangle]
pub unsafe extern "C" fn uk_waitq_wake_all(queue: *mut WaitQueue) -> i32 {
    without_interrupts(|| wake_all_locked(queue))
}

//! linux_thread: the Linux thread calls for `linux_syscall`, served by uksched, so that
//! musl's `pthread_create`, mutexes, condition variables, `pthread_join` and sleeps work
//! unmodified in a unikernel.
//!
//! Modules: [`clone`] (`clone` with `CLONE_VM | CLONE_THREAD`: a uksched thread that resumes
//! the caller's registers on the new stack with the new TLS; `exit` of one thread with the
//! `CLONE_CHILD_CLEARTID` wake-up; `set_tid_address`, `gettid`; each thread's blocked
//! signals, kept for linux_syscall through `uk_signal_mask_hook`; each thread's robust list,
//! released at its exit), [`futex`] (wait, wake, requeue, bitsets, timeouts on either clock,
//! on uksched wait queues; the priority-inheritance lock family), [`sleep`]
//! (`nanosleep`, `clock_nanosleep`, `sched_yield` as scheduler sleeps and yields, ended early
//! by an interval timer's signal), [`ffi`].
//!
//! The library registers its handlers with `uk_syscall_register` from the init table, so the
//! system call layer itself does not depend on a scheduler. `ukl ld` links it when the
//! program's C library brings in `__clone` (see registry.toml, `[[system_library]] serves`).
//!
//! Concurrency: one CPU, cooperative threads; shared state is only touched with interrupts
//! disabled (`irq_locked::Locked`, re-exported as [`ffi::Locked`]).

#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

extern crate alloc;

mod clock;
mod clone;
mod ffi;
mod futex;
mod sleep;

use core::sync::atomic::{AtomicBool, Ordering};

/// Linux x86_64 call numbers served here.
mod nr {
    pub const SCHED_YIELD: i64 = 24;
    pub const NANOSLEEP: i64 = 35;
    pub const CLONE: i64 = 56;
    pub const EXIT: i64 = 60;
    pub const GETTID: i64 = 186;
    pub const FUTEX: i64 = 202;
    pub const SET_TID_ADDRESS: i64 = 218;
    pub const SET_ROBUST_LIST: i64 = 273;
    pub const GET_ROBUST_LIST: i64 = 274;
    pub const CLOCK_NANOSLEEP: i64 = 230;
}

/// Registers the handlers. Idempotent.
#[no_mangle]
pub extern "C" fn uk_linux_thread_init() -> i32 {
    static DONE: AtomicBool = AtomicBool::new(false);
    if DONE.swap(true, Ordering::Relaxed) {
        return 0;
    }
    let handlers: [(i64, ffi::Handler); 10] = [
        (nr::SCHED_YIELD, sleep::sched_yield),
        (nr::NANOSLEEP, sleep::nanosleep),
        (nr::CLONE, clone::clone),
        (nr::EXIT, clone::exit),
        (nr::GETTID, clone::gettid),
        (nr::FUTEX, futex::futex),
        (nr::SET_TID_ADDRESS, clone::set_tid_address),
        (nr::CLOCK_NANOSLEEP, sleep::clock_nanosleep),
        (nr::SET_ROBUST_LIST, clone::set_robust_list),
        (nr::GET_ROBUST_LIST, clone::get_robust_list),
    ];
    for (number, handler) in handlers {
        // SAFETY: each handler serves the call it is registered for.
        unsafe { ffi::uk_syscall_register(number, Some(handler)) };
    }
    // SAFETY: the hook keeps each thread's blocked signals for linux_syscall.
    unsafe { ffi::uk_signal_mask_hook(Some(clone::signal_mask)) };
    // SAFETY: the hook answers for this library's threads and wakes them.
    unsafe { ffi::uk_signal_wake_hook(Some(futex::signal_wake)) };
    0
}

/// Threads started with `clone` that are still running.
#[no_mangle]
pub extern "C" fn uk_linux_thread_count() -> i32 {
    clone::running()
}

#[used]
#[link_section = ".uk_inittab.03"]
static INIT: extern "C" fn() -> i32 = uk_linux_thread_init;

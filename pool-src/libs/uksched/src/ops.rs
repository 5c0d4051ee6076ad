//! The registered scheduler implementation (`struct uk_sched_ops`) and `struct uk_sched_stats`.

use crate::thread::Thread;
use core::ffi::c_char;
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};

/// `struct uk_sched_stats`.
#[repr(C)]
#[derive(Default)]
pub struct SchedStats {
    pub switches: u64,
    pub idle_halts: u64,
    pub idle_ns: u64,
    pub threads: u32,
    pub pad: u32,
}

/// `struct uk_sched_ops`.
#[repr(C)]
pub struct SchedOps {
    pub name: *const c_char,
    pub ready: unsafe extern "C" fn(thread: *mut Thread),
    pub schedule: unsafe extern "C" fn(),
    pub stats: unsafe extern "C" fn(out: *mut SchedStats),
}

static REGISTERED: AtomicPtr<SchedOps> = AtomicPtr::new(ptr::null_mut());

pub fn registered() -> Option<&'static SchedOps> {
    // SAFETY: only `uk_sched_register` stores here, with a table that stays valid forever.
    unsafe { REGISTERED.load(Ordering::Acquire).as_ref() }
}

/// Installs a scheduler implementation; the last registration wins.
///
/// # Safety
/// `ops` is null or a table that stays valid and unchanged forever.
#[no_mangle]
pub unsafe extern "C" fn uk_sched_register(ops: *const SchedOps) {
    REGISTERED.store(ops.cast_mut(), Ordering::Release);
}

/// Queues a runnable thread with the implementation. Interrupts must be disabled.
pub fn ready(thread: *mut Thread) {
    if let Some(ops) = registered() {
        // SAFETY: a live thread, interrupts disabled, as the operation requires.
        unsafe { (ops.ready)(thread) };
    }
}

/// Gives up the CPU (the current thread's state says why). Interrupts must be disabled.
pub fn schedule() {
    match registered() {
        // SAFETY: interrupts are disabled, as the operation requires.
        Some(ops) => unsafe { (ops.schedule)() },
        // SAFETY: the message is NUL-terminated.
        None => unsafe { crate::ffi::ukarch_crash(c"uksched: no scheduler registered".as_ptr()) },
    }
}

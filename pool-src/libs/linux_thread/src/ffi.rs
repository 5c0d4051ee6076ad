//! What linux_thread takes from other pool libraries: linux_syscall (registration, the frame,
//! resuming a frame, due signals and timers), uksched (threads, wait queues, sleeping), the architecture (interrupt
//! flag), the platform (clocks, termination) and the global allocator (`rust_rt`).

use core::ffi::{c_char, c_void};

pub use syscall_abi::{Frame, Handler};

/// `struct uk_waitq`.
#[repr(C)]
pub struct WaitQueue {
    first: *mut c_void,
    last: *mut c_void,
}

impl WaitQueue {
    pub const fn new() -> WaitQueue {
        WaitQueue {
            first: core::ptr::null_mut(),
            last: core::ptr::null_mut(),
        }
    }
}

/// `UK_WAIT_FOREVER`.
pub const FOREVER: u64 = u64::MAX;

extern "C" {
    pub fn uk_syscall_register(nr: i64, handler: Option<Handler>) -> i32;
    pub fn uk_syscall_resume(frame: *const Frame, rax: u64, rsp: u64) -> !;
    pub fn uk_thread_create(
        name: *const c_char,
        entry: Option<extern "C" fn(*mut c_void) -> *mut c_void>,
        arg: *mut c_void,
        stack_size: usize,
    ) -> *mut c_void;
    pub fn uk_thread_detach(thread: *mut c_void) -> i32;
    pub fn uk_thread_exit(retval: *mut c_void) -> !;
    pub fn uk_thread_current() -> *mut c_void;
    pub fn uk_thread_yield();
    pub fn uk_waitq_wait_locked(queue: *mut WaitQueue, deadline_ns: u64) -> i32;
    pub fn uk_waitq_wake_all(queue: *mut WaitQueue) -> i32;
    pub fn ukarch_irq_save() -> u64;
    pub fn ukarch_irq_restore(flags: u64);
    pub fn ukplat_monotonic_ns() -> u64;
    pub fn ukplat_wall_ns() -> u64;
    pub fn uk_boot_exit(status: i32) -> !;
    pub fn uk_signal_interrupted(restartable: i32) -> i32;
    pub fn uk_syscall_builtin(frame: *mut Frame) -> i64;
    pub fn uk_syscall_unsupported(
        nr: i64,
        what: *const core::ffi::c_char,
        value: u64,
        errno: i64,
    ) -> i64;
    pub fn uk_signal_next_timer() -> u64;
    pub fn uk_signal_mask_hook(hook: Option<unsafe extern "C" fn(*const u64) -> u64>);
    pub fn uk_signal_wake_hook(hook: Option<unsafe extern "C" fn(i32, i32) -> i32>);
    pub fn uk_signal_thread_exited(tid: i32);
}

pub fn monotonic_ns() -> u64 {
    // SAFETY: a plain clock read.
    unsafe { ukplat_monotonic_ns() }
}

pub fn wall_ns() -> u64 {
    // SAFETY: a plain clock read.
    unsafe { ukplat_wall_ns() }
}

/// Global state touched only with interrupts disabled (the `irq_locked` support crate).
pub use irq_locked::Locked;

/// Linux error numbers (returned negated).
pub const EPERM: i64 = 1;
pub const ESRCH: i64 = 3;
pub const EINTR: i64 = 4;
pub const EAGAIN: i64 = 11;
pub const EFAULT: i64 = 14;
pub const EINVAL: i64 = 22;
pub const EDEADLK: i64 = 35;
pub const ENOSYS: i64 = 38;
pub const ETIMEDOUT: i64 = 110;
/// linux_syscall's internal result of a wait that is restarted after an `SA_RESTART` handler.
pub const ERESTARTSYS: i64 = 512;

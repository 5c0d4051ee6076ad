//! What linux_ipc takes from other pool libraries: linux_syscall (registration, the caller's
//! frame, the process's ids through its own table, due signals), boot (`uk_idle`, which lets
//! other threads run while a call waits), the architecture (interrupt flag), the platform
//! (clocks, console) and the allocator (page-aligned shared memory segments).

use core::ffi::c_void;

pub use crate::ids::Caller;
pub use syscall_abi::{Frame, Handler};

extern "C" {
    pub fn uk_syscall_register(nr: i64, handler: Option<Handler>) -> i32;
    fn uk_syscall(nr: i64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64) -> i64;
    fn uk_signal_interrupted(restartable: i32) -> i32;
    fn uk_idle();
    fn ukplat_monotonic_ns() -> u64;
    fn ukplat_wall_ns() -> u64;
    fn uk_memalign(align: usize, size: usize) -> *mut c_void;
    fn uk_free(block: *mut c_void);
    fn ukplat_console_write(buf: *const u8, len: usize);
}

/// Writes a line of the library's own to the console.
pub fn console(text: &[u8]) {
    // SAFETY: the platform reads `len` bytes of a valid buffer.
    unsafe { ukplat_console_write(text.as_ptr(), text.len()) };
}

/// The monotonic clock (deadlines of timed waits).
pub fn monotonic_ns() -> u64 {
    // SAFETY: a plain clock read.
    unsafe { ukplat_monotonic_ns() }
}

/// The wall clock in seconds (the `*_time` fields).
pub fn wall_seconds() -> i64 {
    // SAFETY: a plain clock read.
    (unsafe { ukplat_wall_ns() } / 1_000_000_000) as i64
}

/// Lets other work run while a call waits (other threads, when a scheduler is linked).
pub fn idle() {
    // SAFETY: boot's idle hook takes no arguments and may switch threads.
    unsafe { uk_idle() };
}

/// Runs the handlers of signals that came due; true when one ran, so that a wait ends with
/// `EINTR` (System V IPC waits are never restarted, whatever `SA_RESTART` says).
pub fn signal_interrupted() -> bool {
    // SAFETY: handlers run in this thread; nothing of ours is borrowed across the call.
    unsafe { uk_signal_interrupted(0) != 0 }
}

impl Caller {
    /// The process as linux_syscall sees it now.
    pub fn current() -> Caller {
        const GETPID: i64 = 39;
        const GETEUID: i64 = 107;
        const GETEGID: i64 = 108;
        // SAFETY: argument-less queries of linux_syscall's table.
        let ask = |nr| unsafe { uk_syscall(nr, 0, 0, 0, 0, 0, 0) };
        Caller {
            uid: ask(GETEUID) as u32,
            gid: ask(GETEGID) as u32,
            pid: ask(GETPID) as i32,
        }
    }
}

/// `size` bytes of zeroed memory aligned to `align`, from the pool allocator.
pub fn allocate_zeroed(align: usize, size: usize) -> Option<u64> {
    // SAFETY: the allocator returns null or a block of `size` bytes.
    let block = unsafe { uk_memalign(align, size) };
    if block.is_null() {
        return None;
    }
    // SAFETY: the block is `size` bytes and ours.
    unsafe { core::ptr::write_bytes(block.cast::<u8>(), 0, size) };
    Some(block as u64)
}

/// Gives back a block from [`allocate_zeroed`].
pub fn free(address: u64) {
    // SAFETY: `address` came from `uk_memalign` and is no longer used.
    unsafe { uk_free(address as *mut c_void) };
}

/// Global state touched only with interrupts disabled (the `irq_locked` support crate).
pub use irq_locked::Locked;

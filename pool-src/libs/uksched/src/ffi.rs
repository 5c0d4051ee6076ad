//! What uksched takes from other pool libraries: arch (interrupt flag, contexts, crash),
//! platform (clock, console), ukalloc and nolibc (errno).

use core::ffi::{c_char, c_void};

/// `struct ukarch_ctx`.
#[repr(C)]
pub struct Context {
    pub sp: u64,
    pub fs_base: u64,
}

extern "C" {
    pub fn ukarch_irq_save() -> u64;
    pub fn ukarch_irq_restore(flags: u64);
    pub fn ukarch_irq_enable();
    pub fn ukarch_ctx_init(
        ctx: *mut Context,
        stack_top: u64,
        entry: extern "C" fn(arg: *mut c_void) -> !,
        arg: *mut c_void,
    );
    pub fn ukarch_ctx_switch(prev: *mut Context, next: *const Context);
    pub fn ukarch_crash(why: *const c_char) -> !;
    pub fn ukarch_page_guard(page: u64, spare_table: u64) -> i32;
    pub fn ukarch_page_unguard(page: u64) -> i32;
    pub fn ukplat_monotonic_ns() -> u64;
    pub fn ukplat_console_write(buf: *const c_char, len: usize);
    pub fn uk_malloc(size: usize) -> *mut c_void;
    pub fn uk_memalign(align: usize, size: usize) -> *mut c_void;
    pub fn uk_free(block: *mut c_void);
    pub fn __errno_location() -> *mut i32;
}

/// Runs `f` with interrupts disabled.
pub fn without_interrupts<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: saving and restoring the interrupt flag has no other effect.
    let flags = unsafe { ukarch_irq_save() };
    let result = f();
    // SAFETY: as above.
    unsafe { ukarch_irq_restore(flags) };
    result
}

pub fn now() -> u64 {
    // SAFETY: a plain clock read.
    unsafe { ukplat_monotonic_ns() }
}

pub const EPERM: i32 = 1;
pub const EAGAIN: i32 = 11;
pub const EBUSY: i32 = 16;
pub const EINVAL: i32 = 22;
pub const EDEADLK: i32 = 35;
pub const ETIMEDOUT: i32 = 110;

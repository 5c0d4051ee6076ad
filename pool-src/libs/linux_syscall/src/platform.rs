//! What this library uses from other pool libraries (platform, architecture, allocator, the
//! boot library's idle hook).

use core::ffi::{c_char, c_void};

/// `struct ukplat_memregion` (docs/pool-abi.md).
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub struct MemRegion {
    pub base: u64,
    pub len: u64,
    pub flags: u32,
    pub pad: u32,
}

/// `UKPLAT_MEMR_MODULE`.
pub const MEMREGION_MODULE: u32 = 0x8;

extern "C" {
    pub fn ukplat_console_write(buf: *const c_char, len: usize);
    pub fn ukplat_monotonic_ns() -> u64;
    pub fn ukplat_wall_ns() -> u64;
    pub fn uk_boot_exit(status: i32) -> !;
    pub fn ukplat_memregion_count() -> i32;
    pub fn ukplat_memregion_get(index: i32, region: *mut MemRegion) -> i32;
    pub fn ukarch_crash(why: *const c_char) -> !;
    pub fn uk_memalign(align: usize, size: usize) -> *mut c_void;
    pub fn uk_free(block: *mut c_void);
    pub fn uk_malloc_usable_size(block: *const c_void) -> usize;
    fn uk_idle();
    pub fn ukplat_timer_set(deadline_ns: u64);
    pub fn ukarch_irq_return_hook(
        hook: Option<unsafe extern "C" fn(frame: *mut c_void, fpstate: *mut u8)>,
    );
}

/// Lets other work run while a call waits (other threads, when a scheduler is linked).
pub fn idle() {
    // SAFETY: boot's idle hook takes no arguments and may switch threads.
    unsafe { uk_idle() };
}

/// Writes text to the console.
pub fn console(bytes: &[u8]) {
    // SAFETY: the platform reads `len` bytes from a valid buffer.
    unsafe { ukplat_console_write(bytes.as_ptr().cast(), bytes.len()) };
}

/// A `core::fmt` sink over the console.
pub struct Console;

impl core::fmt::Write for Console {
    fn write_str(&mut self, text: &str) -> core::fmt::Result {
        console(text.as_bytes());
        Ok(())
    }
}

//! Crash reports: a console writer, the frame-pointer backtrace and the final termination.
//!
//! Everything here avoids allocation and locks: it runs from exception handlers, possibly with
//! the heap or the console in a broken state. Pool code is compiled with frame pointers, so the
//! chain `[rbp] = caller's rbp, [rbp + 8] = return address` describes the call stack; each link
//! is checked against the platform's memory regions before it is read.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, Ordering};

/// Status that crash reports end the guest with (`ukplat_terminate`).
pub const CRASH_STATUS: i32 = 127;

/// `struct ukplat_memregion` from `uk/plat.h`.
#[repr(C)]
struct MemoryRegion {
    base: u64,
    len: u64,
    flags: u32,
    pad: u32,
}

extern "C" {
    fn ukplat_console_write(buf: *const u8, len: usize);
    fn ukplat_terminate(status: i32) -> !;
    fn ukplat_memregion_count() -> i32;
    fn ukplat_memregion_get(index: i32, region: *mut MemoryRegion) -> i32;
}

/// `fmt::Write` over the platform console.
pub struct Console;

impl Write for Console {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        // SAFETY: the platform reads `len` bytes from a valid buffer.
        unsafe { ukplat_console_write(text.as_ptr(), text.len()) };
        Ok(())
    }
}

static CRASHING: AtomicBool = AtomicBool::new(false);

/// Marks the start of a crash report. Returns false if a report is already under way (a fault
/// inside the crash path), in which case the caller must print as little as possible and end.
pub fn begin() -> bool {
    !CRASHING.swap(true, Ordering::SeqCst)
}

/// Ends the guest after a crash report.
pub fn end() -> ! {
    // SAFETY: terminating the guest is always allowed; the platform never returns.
    unsafe { ukplat_terminate(CRASH_STATUS) }
}

/// True if `[address, address + len)` lies in RAM that the platform knows of (image, boot
/// structures or free memory) and mapped (not a guard page, `PROT_NONE` or low memory), so it can be read without
/// faulting or touching device memory.
fn is_ram(address: u64, len: u64) -> bool {
    let Some(end) = address.checked_add(len) else {
        return false;
    };
    // SAFETY: plain queries of the platform's region table.
    let count = unsafe { ukplat_memregion_count() };
    (0..count).any(|index| {
        let mut region = MemoryRegion {
            base: 0,
            len: 0,
            flags: 0,
            pad: 0,
        };
        // SAFETY: `region` is a valid, writable `struct ukplat_memregion`.
        let found = unsafe { ukplat_memregion_get(index, &mut region) } == 0;
        found && address >= region.base && end <= region.base + region.len
    }) && crate::paging::is_mapped(address)
        && crate::paging::is_mapped(end - 1)
}

/// Prints the backtrace from `rip` and `rbp` (see the `frame_backtrace` support crate),
/// following frames only through mapped RAM outside the guard pages.
pub fn backtrace(out: &mut Console, rip: Option<u64>, rbp: u64) {
    frame_backtrace::print(out, rip, rbp, |rbp| {
        rbp.is_multiple_of(8) && is_ram(rbp, 16)
    });
}

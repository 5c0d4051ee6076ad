//! Minimal console writer over the platform's `ukplat_console_write`, used by the panic handler.

use core::fmt;

extern "C" {
    fn ukplat_console_write(buf: *const u8, len: usize);
}

/// Writes formatted text straight to the platform console, unbuffered.
pub(crate) struct Console;

impl fmt::Write for Console {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        // SAFETY: the pointer and length describe the live string slice `text`.
        unsafe { ukplat_console_write(text.as_ptr(), text.len()) };
        Ok(())
    }
}

//! Log lines through ukdebug's `uk_pr_write`, formatted on the stack (no allocation): a support
//! crate (not a pool library) that the drivers share; each library that uses it carries a
//! private copy, and imports `uk_pr_write` from ukdebug.

#![no_std]

use core::fmt::{self, Write};

extern "C" {
    fn uk_pr_write(level: i32, msg: *const u8, len: usize);
}

pub const INFO: i32 = 3;
pub const ERR: i32 = 1;

struct Line {
    buf: [u8; 160],
    len: usize,
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.buf.len() - self.len;
        let n = s.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

pub fn write(level: i32, args: fmt::Arguments) {
    let mut line = Line {
        buf: [0; 160],
        len: 0,
    };
    let _ = line.write_fmt(args);
    let _ = line.write_str("\n");
    // SAFETY: ukdebug copies `len` bytes from the buffer, which is valid for the call.
    unsafe { uk_pr_write(level, line.buf.as_ptr(), line.len) };
}

/// Logs an informational line.
#[macro_export]
macro_rules! info {
    ($($arg:tt)*) => { $crate::write($crate::INFO, format_args!($($arg)*)) };
}

/// Logs an error line.
#[macro_export]
macro_rules! error {
    ($($arg:tt)*) => { $crate::write($crate::ERR, format_args!($($arg)*)) };
}

//! The console: standard output (file descriptor 1), written with `write(2)` as it comes, no
//! `\r` added. Crash reports go to standard error (descriptor 2) so that they survive a
//! redirected standard output.

use crate::syscall;
use core::fmt;

pub const STDIN: i32 = 0;
pub const STDOUT: i32 = 1;
pub const STDERR: i32 = 2;

/// `fmt::Write` over one file descriptor.
pub struct Stream(pub i32);

impl fmt::Write for Stream {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        syscall::write_all(self.0, text.as_bytes());
        Ok(())
    }
}

/// Reads what standard input holds now (a `poll` with no timeout first): the count, 0 when
/// nothing is there, -1 at its end or on an error.
pub fn read_available(buffer: &mut [u8]) -> isize {
    match syscall::poll_in(STDIN) {
        Ok(false) => 0,
        Ok(true) => match syscall::read(STDIN, buffer) {
            n if n > 0 => n,
            _ => -1,
        },
        Err(()) => -1,
    }
}

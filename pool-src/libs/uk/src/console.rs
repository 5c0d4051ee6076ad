//! Console output: `print!`/`println!` (and `eprint!`/`eprintln!`, which go to the same
//! console) over `ukplat_console_write`.

use core::fmt::{self, Write};

extern "C" {
    fn ukplat_console_write(buf: *const u8, len: usize);
}

/// Writes raw bytes to the console.
#[inline]
pub fn write_bytes(bytes: &[u8]) {
    // SAFETY: the pointer and length describe the live slice `bytes`.
    unsafe { ukplat_console_write(bytes.as_ptr(), bytes.len()) };
}

/// Collects formatted text in a stack buffer so that one `print!` makes few console writes.
struct BufferedConsole {
    buf: [u8; 128],
    used: usize,
}

impl BufferedConsole {
    #[inline]
    fn flush(&mut self) {
        write_bytes(&self.buf[..self.used]);
        self.used = 0;
    }
}

impl Write for BufferedConsole {
    #[inline]
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let bytes = text.as_bytes();
        if bytes.len() > self.buf.len() - self.used {
            self.flush();
            if bytes.len() > self.buf.len() {
                write_bytes(bytes);
                return Ok(());
            }
        }
        self.buf[self.used..self.used + bytes.len()].copy_from_slice(bytes);
        self.used += bytes.len();
        Ok(())
    }
}

/// Formats `args` onto the console (the expansion of `print!` and friends).
#[doc(hidden)]
#[inline]
pub fn _print(args: fmt::Arguments<'_>) {
    let mut console = BufferedConsole {
        buf: [0; 128],
        used: 0,
    };
    // The console never fails; a failing Display impl just ends the output early.
    let _ = console.write_fmt(args);
    console.flush();
}

/// Prints to the console.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::console::_print(::core::format_args!($($arg)*)) };
}

/// Prints to the console, with a newline.
#[macro_export]
macro_rules! println {
    () => { $crate::console::_print(::core::format_args!("\n")) };
    ($($arg:tt)*) => {
        $crate::console::_print(::core::format_args!("{}\n", ::core::format_args!($($arg)*)))
    };
}

/// Prints to the console (there is no separate error stream).
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::print!($($arg)*) };
}

/// Prints to the console, with a newline (there is no separate error stream).
#[macro_export]
macro_rules! eprintln {
    ($($arg:tt)*) => { $crate::println!($($arg)*) };
}

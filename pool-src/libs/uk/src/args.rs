//! The command line as `main` receives it.

use core::ffi::{c_char, CStr};

/// Iterator over `argv` as string slices (arguments that are not UTF-8 are skipped).
pub struct Args {
    argv: *const *const u8,
    next: usize,
    count: usize,
}

/// The arguments `main(argc, argv)` received.
///
/// # Safety
///
/// `argv` must hold `argc` pointers to NUL-terminated strings that live as long as the image
/// (the boot library's argv does).
#[inline]
pub unsafe fn args(argc: i32, argv: *const *const u8) -> Args {
    Args {
        argv,
        next: 0,
        count: usize::try_from(argc).unwrap_or(0),
    }
}

impl Iterator for Args {
    type Item = &'static str;

    #[inline]
    fn next(&mut self) -> Option<&'static str> {
        while self.next < self.count {
            // SAFETY: `next < argc`, and each entry is a live NUL-terminated string
            // (contract of `args`).
            let arg = unsafe { CStr::from_ptr(*self.argv.add(self.next) as *const c_char) };
            self.next += 1;
            if let Ok(text) = arg.to_str() {
                return Some(text);
            }
        }
        None
    }
}

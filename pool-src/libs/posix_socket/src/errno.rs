//! Linux errno values used here, and the C convention (-1 and errno).

use core::ffi::c_int;

extern "C" {
    fn __errno_location() -> *mut c_int;
}

pub const EBADF: c_int = 9;
pub const EFAULT: c_int = 14;
pub const EINVAL: c_int = 22;
pub const ENOSPC: c_int = 28;
pub const EAFNOSUPPORT: c_int = 97;
pub const ENETDOWN: c_int = 100;

/// Sets errno.
pub fn set(code: c_int) {
    // SAFETY: nolibc's errno location is a valid, static int.
    unsafe { *__errno_location() = code };
}

/// The C return convention: the value, or -1 with errno set.
pub fn ret<T: From<i8>>(result: Result<T, c_int>) -> T {
    match result {
        Ok(value) => value,
        Err(code) => {
            set(code);
            T::from(-1)
        }
    }
}

/// A netstack answer (a value, or a negated errno) the C way.
pub fn from_netstack(value: c_int) -> c_int {
    if value < 0 {
        set(-value);
        -1
    } else {
        value
    }
}

/// `from_netstack` for byte counts.
pub fn from_netstack64(value: i64) -> isize {
    if value < 0 {
        set(-value as c_int);
        -1
    } else {
        value as isize
    }
}

//! `arpa/inet.h`: conversions between IPv4 text and binary forms.

use core::ffi::{c_char, c_int, CStr};

use crate::errno::{self, EAFNOSUPPORT, ENOSPC};

const AF_INET: u16 = 2;

/// `a.b.c.d` (four decimal bytes) as its bytes.
fn parse_ipv4(text: &str) -> Option<[u8; 4]> {
    let mut bytes = [0u8; 4];
    let mut parts = text.split('.');
    for byte in &mut bytes {
        *byte = parts.next()?.parse().ok()?;
    }
    parts.next().is_none().then_some(bytes)
}

/// Formats `a.b.c.d` into `out`, NUL-terminated; the length written (without the NUL).
fn format(ip: [u8; 4], out: &mut [u8; 16]) -> usize {
    let mut n = 0;
    for (i, byte) in ip.iter().enumerate() {
        if i > 0 {
            out[n] = b'.';
            n += 1;
        }
        let mut digits = [0u8; 3];
        let mut count = 0;
        let mut value = *byte;
        loop {
            digits[count] = b'0' + value % 10;
            count += 1;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        for d in digits[..count].iter().rev() {
            out[n] = *d;
            n += 1;
        }
    }
    out[n] = 0;
    n
}

/// # Safety
/// `text` is a NUL-terminated string.
unsafe fn parse(text: *const c_char) -> Option<[u8; 4]> {
    if text.is_null() {
        return None;
    }
    // SAFETY: the caller passes a NUL-terminated string.
    let text = unsafe { CStr::from_ptr(text) }.to_str().ok()?;
    parse_ipv4(text)
}

/// 1 on success, 0 for text that is not an address, -1 (EAFNOSUPPORT) for other families.
///
/// # Safety
/// `text` is NUL-terminated; `out` has 4 writable bytes.
#[no_mangle]
pub unsafe extern "C" fn inet_pton(family: c_int, text: *const c_char, out: *mut u8) -> c_int {
    if family != AF_INET as c_int {
        errno::set(EAFNOSUPPORT);
        return -1;
    }
    // SAFETY: forwarded from the caller.
    match unsafe { parse(text) } {
        Some(ip) => {
            // SAFETY: 4 writable bytes.
            unsafe { core::ptr::copy_nonoverlapping(ip.as_ptr(), out, 4) };
            1
        }
        None => 0,
    }
}

/// # Safety
/// `text` is NUL-terminated; `out` (a `struct in_addr *`) has 4 writable bytes.
#[no_mangle]
pub unsafe extern "C" fn inet_aton(text: *const c_char, out: *mut u8) -> c_int {
    // SAFETY: forwarded from the caller.
    unsafe { inet_pton(AF_INET as c_int, text, out) }
}

/// The address in network byte order, or INADDR_NONE (all ones).
///
/// # Safety
/// `text` is NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn inet_addr(text: *const c_char) -> u32 {
    // SAFETY: forwarded from the caller.
    match unsafe { parse(text) } {
        Some(ip) => u32::from_ne_bytes(ip),
        None => u32::MAX,
    }
}

/// # Safety
/// `address` has 4 readable bytes, `out` `size` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn inet_ntop(
    family: c_int,
    address: *const u8,
    out: *mut c_char,
    size: u32,
) -> *const c_char {
    if family != AF_INET as c_int {
        errno::set(EAFNOSUPPORT);
        return core::ptr::null();
    }
    let mut ip = [0u8; 4];
    // SAFETY: 4 readable bytes.
    unsafe { core::ptr::copy_nonoverlapping(address, ip.as_mut_ptr(), 4) };
    let mut text = [0u8; 16];
    let n = format(ip, &mut text);
    if n + 1 > size as usize {
        errno::set(ENOSPC);
        return core::ptr::null();
    }
    // SAFETY: `size` >= n + 1 writable bytes.
    unsafe { core::ptr::copy_nonoverlapping(text.as_ptr(), out as *mut u8, n + 1) };
    out
}

struct Text(core::cell::UnsafeCell<[u8; 16]>);
// SAFETY: one CPU; inet_ntoa's static buffer is documented as not reentrant.
unsafe impl Sync for Text {}
static NTOA: Text = Text(core::cell::UnsafeCell::new([0; 16]));

/// Formats a `struct in_addr` (passed by value) into a static buffer.
#[no_mangle]
pub extern "C" fn inet_ntoa(address: u32) -> *const c_char {
    // SAFETY: see `Text`.
    let buffer = unsafe { &mut *NTOA.0.get() };
    format(address.to_ne_bytes(), buffer);
    buffer.as_ptr() as *const c_char
}

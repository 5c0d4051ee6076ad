//! The BSD socket calls on descriptors (`sys/socket.h`, `fcntl.h`, `sys/ioctl.h`): each maps
//! the descriptor to its netstack socket id, calls `uk_netstack_*`, and returns the C way
//! (-1 and errno).

use core::ffi::{c_int, c_long, c_void};

use crate::errno::{from_netstack, from_netstack64, ret, EFAULT, EINVAL};
use crate::netstack::*;

/// The descriptor of netstack socket 0 (0-2 are the console's).
pub const FIRST_FD: c_int = 3;

const F_GETFL: c_int = 3;
const F_SETFL: c_int = 4;
const O_NONBLOCK: c_long = 0o4000;
const O_RDWR: c_int = 2;
const FIONBIO: c_long = 0x5421;

/// The netstack socket id of a descriptor; -1 (which netstack answers with EBADF) for the
/// console's and negative descriptors.
pub fn sock(fd: c_int) -> c_int {
    if fd < FIRST_FD {
        -1
    } else {
        fd - FIRST_FD
    }
}

/// A new socket's descriptor, or -1 and errno.
fn descriptor(id: c_int) -> c_int {
    let id = from_netstack(id);
    if id < 0 {
        id
    } else {
        id + FIRST_FD
    }
}

#[no_mangle]
pub extern "C" fn socket(domain: c_int, kind: c_int, protocol: c_int) -> c_int {
    // SAFETY: plain values.
    descriptor(unsafe { uk_netstack_socket(domain, kind, protocol) })
}

/// # Safety
/// `address` points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn bind(fd: c_int, address: *const c_void, len: u32) -> c_int {
    // SAFETY: forwarded from the caller.
    from_netstack(unsafe { uk_netstack_bind(sock(fd), address, len) })
}

#[no_mangle]
pub extern "C" fn listen(fd: c_int, backlog: c_int) -> c_int {
    // SAFETY: plain values.
    from_netstack(unsafe { uk_netstack_listen(sock(fd), backlog) })
}

/// # Safety
/// `address`/`len` as for `getpeername` (or null).
#[no_mangle]
pub unsafe extern "C" fn accept(fd: c_int, address: *mut c_void, len: *mut u32) -> c_int {
    // SAFETY: forwarded from the caller.
    unsafe { accept4(fd, address, len, 0) }
}

/// # Safety
/// `address`/`len` as for `getpeername` (or null).
#[no_mangle]
pub unsafe extern "C" fn accept4(
    fd: c_int,
    address: *mut c_void,
    len: *mut u32,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded from the caller.
    descriptor(unsafe { uk_netstack_accept(sock(fd), address, len, flags) })
}

/// # Safety
/// `address` points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn connect(fd: c_int, address: *const c_void, len: u32) -> c_int {
    // SAFETY: forwarded from the caller.
    from_netstack(unsafe { uk_netstack_connect(sock(fd), address, len) })
}

/// # Safety
/// `buf` points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn send(fd: c_int, buf: *const c_void, len: usize, flags: c_int) -> isize {
    // SAFETY: forwarded from the caller.
    unsafe { sendto(fd, buf, len, flags, core::ptr::null(), 0) }
}

/// # Safety
/// `buf` points to `len` readable bytes, `address` to `address_len` (or is null).
#[no_mangle]
pub unsafe extern "C" fn sendto(
    fd: c_int,
    buf: *const c_void,
    len: usize,
    flags: c_int,
    address: *const c_void,
    address_len: u32,
) -> isize {
    // SAFETY: forwarded from the caller.
    from_netstack64(unsafe { uk_netstack_sendto(sock(fd), buf, len, flags, address, address_len) })
}

/// # Safety
/// `buf` points to `len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn recv(fd: c_int, buf: *mut c_void, len: usize, flags: c_int) -> isize {
    // SAFETY: forwarded from the caller.
    unsafe {
        recvfrom(
            fd,
            buf,
            len,
            flags,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
        )
    }
}

/// # Safety
/// `buf` points to `len` writable bytes; `address`/`address_len` as for `getpeername`.
#[no_mangle]
pub unsafe extern "C" fn recvfrom(
    fd: c_int,
    buf: *mut c_void,
    len: usize,
    flags: c_int,
    address: *mut c_void,
    address_len: *mut u32,
) -> isize {
    // SAFETY: forwarded from the caller.
    from_netstack64(unsafe {
        uk_netstack_recvfrom(sock(fd), buf, len, flags, address, address_len)
    })
}

/// Closes a socket descriptor (closing the console's descriptors does nothing).
#[no_mangle]
pub extern "C" fn close(fd: c_int) -> c_int {
    if (0..FIRST_FD).contains(&fd) {
        return 0;
    }
    // SAFETY: a plain value.
    from_netstack(unsafe { uk_netstack_close(sock(fd)) })
}

#[no_mangle]
pub extern "C" fn shutdown(fd: c_int, how: c_int) -> c_int {
    // SAFETY: plain values.
    from_netstack(unsafe { uk_netstack_shutdown(sock(fd), how) })
}

/// # Safety
/// `value` points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn setsockopt(
    fd: c_int,
    level: c_int,
    name: c_int,
    value: *const c_void,
    len: u32,
) -> c_int {
    // SAFETY: forwarded from the caller.
    from_netstack(unsafe { uk_netstack_setsockopt(sock(fd), level, name, value, len) })
}

/// # Safety
/// `value` points to `*len` writable bytes; `len` is readable and writable.
#[no_mangle]
pub unsafe extern "C" fn getsockopt(
    fd: c_int,
    level: c_int,
    name: c_int,
    value: *mut c_void,
    len: *mut u32,
) -> c_int {
    // SAFETY: forwarded from the caller.
    from_netstack(unsafe { uk_netstack_getsockopt(sock(fd), level, name, value, len) })
}

/// # Safety
/// `address` points to `*len` writable bytes; `len` is readable and writable.
#[no_mangle]
pub unsafe extern "C" fn getsockname(fd: c_int, address: *mut c_void, len: *mut u32) -> c_int {
    // SAFETY: forwarded from the caller.
    from_netstack(unsafe { uk_netstack_getsockname(sock(fd), address, len) })
}

/// # Safety
/// `address` points to `*len` writable bytes; `len` is readable and writable.
#[no_mangle]
pub unsafe extern "C" fn getpeername(fd: c_int, address: *mut c_void, len: *mut u32) -> c_int {
    // SAFETY: forwarded from the caller.
    from_netstack(unsafe { uk_netstack_getpeername(sock(fd), address, len) })
}

/// `fcntl(fd, F_GETFL)` and `fcntl(fd, F_SETFL, flags)` (only O_NONBLOCK means anything; other
/// commands return 0 for a socket). The C prototype is variadic; on x86_64 the third argument
/// arrives in the same register as this fixed one.
#[no_mangle]
pub extern "C" fn fcntl(fd: c_int, command: c_int, argument: c_long) -> c_int {
    let id = sock(fd);
    // SAFETY: plain values.
    let result = unsafe {
        match command {
            F_GETFL => match uk_netstack_nonblocking(id) {
                error if error < 0 => error,
                0 => O_RDWR,
                _ => O_NONBLOCK as c_int | O_RDWR,
            },
            F_SETFL => uk_netstack_set_nonblocking(id, (argument & O_NONBLOCK != 0) as c_int),
            _ => uk_netstack_nonblocking(id).min(0),
        }
    };
    from_netstack(result)
}

/// `ioctl(fd, FIONBIO, &int)`; variadic in C, see `fcntl`.
///
/// # Safety
/// For FIONBIO, `argument` is the address of a readable int.
#[no_mangle]
pub unsafe extern "C" fn ioctl(fd: c_int, request: c_long, argument: *const c_int) -> c_int {
    if request != FIONBIO {
        return ret(Err(EINVAL));
    }
    if argument.is_null() {
        return ret(Err(EFAULT));
    }
    // SAFETY: the caller passes the address of an int.
    let on = unsafe { *argument } != 0;
    // SAFETY: plain values.
    from_netstack(unsafe { uk_netstack_set_nonblocking(sock(fd), on as c_int) })
}

//! The socket calls: each finds the netstack socket behind its descriptor, calls netstack and
//! returns its result (a value or a negative errno, as the kernel does). `sendmsg` and
//! `recvmsg` gather and scatter their iovecs through one buffer (netstack's sockets take one
//! contiguous buffer); control messages are not supported (`msg_controllen` comes back 0).

use crate::ffi::{self, Frame, Handler, EFAULT, EINVAL, EMSGSIZE};
use crate::ops::OPS;
use alloc::vec::Vec;

const SOCK_NONBLOCK: u64 = 0o4000;
const SOCK_CLOEXEC: u64 = 0o2000000;
const O_NONBLOCK: u64 = 0o4000;
const O_CLOEXEC: u64 = 0o2000000;
/// Most iovecs in one message (Linux's UIO_MAXIOV).
const MAX_IOV: u64 = 1024;

/// The call numbers served here and their handlers.
pub const HANDLERS: [(i64, Handler); 15] = [
    (41, socket),
    (42, connect),
    (43, accept),
    (44, sendto),
    (45, recvfrom),
    (46, sendmsg),
    (47, recvmsg),
    (48, shutdown),
    (49, bind),
    (50, listen),
    (51, getsockname),
    (52, getpeername),
    (54, setsockopt),
    (55, getsockopt),
    (288, accept4),
];

/// The arguments of the call.
fn args(frame: *mut Frame) -> [u64; 6] {
    // SAFETY: linux_syscall passes the caller's frame.
    unsafe { (*frame).args() }
}

/// The netstack socket behind descriptor `fd` (or the call's error: EBADF, ENOTSOCK).
fn socket_of(fd: u64) -> Result<i32, i64> {
    let mut handle = 0u64;
    // SAFETY: `handle` is writable; OPS lives forever.
    match unsafe { ffi::uk_syscall_fd_object(fd as i64, &OPS, &mut handle) } {
        0 => Ok(handle as i32),
        error => Err(error),
    }
}

/// Runs `f` on the socket behind `fd`. A descriptor that is not a netstack socket (a local
/// socket pair's end, a file) goes back to linux_syscall's own table, which serves the socket
/// calls on pair ends and fails the others with ENOTSOCK.
fn with_socket(frame: *mut Frame, fd: u64, f: impl FnOnce(i32) -> i64) -> i64 {
    match socket_of(fd) {
        Ok(sock) => f(sock),
        Err(e) if e == -ffi::ENOTSOCK => {
            // SAFETY: the caller's live frame.
            unsafe { ffi::uk_syscall_builtin(frame) }
        }
        Err(e) => e,
    }
}

/// Puts netstack socket `sock` behind a new descriptor (closing it if none is free).
fn install(sock: i32, kind_flags: u64) -> i64 {
    let mut flags = 0;
    if kind_flags & SOCK_NONBLOCK != 0 {
        flags |= O_NONBLOCK;
    }
    if kind_flags & SOCK_CLOEXEC != 0 {
        flags |= O_CLOEXEC;
    }
    // SAFETY: OPS lives forever; the socket is handed over.
    unsafe { ffi::uk_syscall_fd_open(&OPS, sock as u64, flags) }
}

/// `socket(domain, type, protocol)`.
unsafe extern "C" fn socket(frame: *mut Frame) -> i64 {
    let [domain, kind, protocol, ..] = args(frame);
    // SAFETY: plain values.
    let sock = unsafe { ffi::uk_netstack_socket(domain as i32, kind as i32, protocol as i32) };
    if sock < 0 {
        return i64::from(sock);
    }
    install(sock, kind)
}

unsafe extern "C" fn bind(frame: *mut Frame) -> i64 {
    let [fd, address, len, ..] = args(frame);
    with_socket(frame, fd, |s| {
        // SAFETY: the caller's sockaddr of `len` bytes.
        i64::from(unsafe { ffi::uk_netstack_bind(s, address as *const u8, len as u32) })
    })
}

unsafe extern "C" fn listen(frame: *mut Frame) -> i64 {
    let [fd, backlog, ..] = args(frame);
    with_socket(frame, fd, |s| {
        // SAFETY: plain values.
        i64::from(unsafe { ffi::uk_netstack_listen(s, backlog as i32) })
    })
}

unsafe extern "C" fn connect(frame: *mut Frame) -> i64 {
    let [fd, address, len, ..] = args(frame);
    with_socket(frame, fd, |s| {
        // SAFETY: the caller's sockaddr of `len` bytes.
        i64::from(unsafe { ffi::uk_netstack_connect(s, address as *const u8, len as u32) })
    })
}

fn accept_with(frame: *mut Frame, fd: u64, address: u64, len: u64, flags: u64) -> i64 {
    if flags & !(SOCK_NONBLOCK | SOCK_CLOEXEC) != 0 {
        return -EINVAL;
    }
    with_socket(frame, fd, |s| {
        // SAFETY: the caller's sockaddr buffer and its length (or nulls).
        let new = unsafe {
            ffi::uk_netstack_accept(
                s,
                address as *mut u8,
                len as *mut u32,
                (flags & SOCK_NONBLOCK) as i32,
            )
        };
        if new < 0 {
            i64::from(new)
        } else {
            install(new, flags)
        }
    })
}

unsafe extern "C" fn accept(frame: *mut Frame) -> i64 {
    let [fd, address, len, ..] = args(frame);
    accept_with(frame, fd, address, len, 0)
}

unsafe extern "C" fn accept4(frame: *mut Frame) -> i64 {
    let [fd, address, len, flags, ..] = args(frame);
    accept_with(frame, fd, address, len, flags)
}

unsafe extern "C" fn sendto(frame: *mut Frame) -> i64 {
    let [fd, buffer, len, flags, address, address_len] = args(frame);
    with_socket(frame, fd, |s| {
        // SAFETY: the caller's buffer of `len` bytes and sockaddr (or null).
        unsafe {
            ffi::uk_netstack_sendto(
                s,
                buffer as *const u8,
                len as usize,
                flags as i32,
                address as *const u8,
                address_len as u32,
            )
        }
    })
}

unsafe extern "C" fn recvfrom(frame: *mut Frame) -> i64 {
    let [fd, buffer, len, flags, address, address_len] = args(frame);
    with_socket(frame, fd, |s| {
        // SAFETY: the caller's buffer of `len` bytes and sockaddr buffer (or nulls).
        unsafe {
            ffi::uk_netstack_recvfrom(
                s,
                buffer as *mut u8,
                len as usize,
                flags as i32,
                address as *mut u8,
                address_len as *mut u32,
            )
        }
    })
}

/// `struct msghdr`.
#[repr(C)]
struct MessageHeader {
    name: *mut u8,
    name_len: u32,
    pad: u32,
    iov: *const [u64; 2],
    iov_len: u64,
    control: *mut u8,
    control_len: u64,
    flags: i32,
}

/// The iovecs of a message: (base, length) pairs, and their total length.
fn segments(header: &MessageHeader) -> Result<(Vec<(u64, usize)>, usize), i64> {
    if header.iov_len > MAX_IOV {
        return Err(-EMSGSIZE);
    }
    if header.iov.is_null() && header.iov_len > 0 {
        return Err(-EFAULT);
    }
    let mut list = Vec::with_capacity(header.iov_len as usize);
    let mut total = 0usize;
    for i in 0..header.iov_len as usize {
        // SAFETY: the caller's msghdr points to `iov_len` iovecs.
        let [base, len] = unsafe { header.iov.add(i).read_unaligned() };
        total = total.checked_add(len as usize).ok_or(-EINVAL)?;
        list.push((base, len as usize));
    }
    if total > isize::MAX as usize {
        return Err(-EINVAL);
    }
    Ok((list, total))
}

unsafe extern "C" fn sendmsg(frame: *mut Frame) -> i64 {
    let [fd, message, flags, ..] = args(frame);
    if message == 0 {
        return -EFAULT;
    }
    // SAFETY: the caller passed a `struct msghdr`.
    let header = unsafe { (message as *const MessageHeader).read_unaligned() };
    with_socket(frame, fd, |s| {
        let (list, total) = match segments(&header) {
            Ok(found) => found,
            Err(e) => return e,
        };
        let mut bytes = Vec::with_capacity(total);
        for (base, len) in list {
            if len > 0 {
                // SAFETY: the caller's iovec holds `len` readable bytes.
                bytes.extend_from_slice(unsafe {
                    core::slice::from_raw_parts(base as *const u8, len)
                });
            }
        }
        // SAFETY: a buffer of `total` bytes and the caller's sockaddr (or null).
        unsafe {
            ffi::uk_netstack_sendto(
                s,
                bytes.as_ptr(),
                bytes.len(),
                flags as i32,
                header.name,
                header.name_len,
            )
        }
    })
}

unsafe extern "C" fn recvmsg(frame: *mut Frame) -> i64 {
    let [fd, message, flags, ..] = args(frame);
    if message == 0 {
        return -EFAULT;
    }
    let header_pointer = message as *mut MessageHeader;
    // SAFETY: the caller passed a `struct msghdr`.
    let mut header = unsafe { header_pointer.read_unaligned() };
    with_socket(frame, fd, |s| {
        let (list, total) = match segments(&header) {
            Ok(found) => found,
            Err(e) => return e,
        };
        let mut bytes = alloc::vec![0u8; total];
        let mut name_len = header.name_len;
        // SAFETY: a buffer of `total` bytes and the caller's sockaddr buffer (or null).
        let n = unsafe {
            ffi::uk_netstack_recvfrom(
                s,
                bytes.as_mut_ptr(),
                total,
                flags as i32,
                header.name,
                if header.name.is_null() {
                    core::ptr::null_mut()
                } else {
                    &mut name_len
                },
            )
        };
        if n < 0 {
            return n;
        }
        let mut at = 0usize;
        for (base, len) in list {
            let take = len.min(n as usize - at);
            if take == 0 {
                break;
            }
            // SAFETY: the caller's iovec holds `len` writable bytes; take ≤ len.
            unsafe { core::ptr::copy_nonoverlapping(bytes[at..].as_ptr(), base as *mut u8, take) };
            at += take;
        }
        header.name_len = if header.name.is_null() { 0 } else { name_len };
        header.control_len = 0;
        header.flags = 0;
        // SAFETY: as above: the caller's msghdr is writable.
        unsafe { header_pointer.write_unaligned(header) };
        n
    })
}

unsafe extern "C" fn shutdown(frame: *mut Frame) -> i64 {
    let [fd, how, ..] = args(frame);
    with_socket(frame, fd, |s| {
        // SAFETY: plain values.
        i64::from(unsafe { ffi::uk_netstack_shutdown(s, how as i32) })
    })
}

unsafe extern "C" fn getsockname(frame: *mut Frame) -> i64 {
    let [fd, address, len, ..] = args(frame);
    with_socket(frame, fd, |s| {
        // SAFETY: the caller's sockaddr buffer and length.
        i64::from(unsafe { ffi::uk_netstack_getsockname(s, address as *mut u8, len as *mut u32) })
    })
}

unsafe extern "C" fn getpeername(frame: *mut Frame) -> i64 {
    let [fd, address, len, ..] = args(frame);
    with_socket(frame, fd, |s| {
        // SAFETY: the caller's sockaddr buffer and length.
        i64::from(unsafe { ffi::uk_netstack_getpeername(s, address as *mut u8, len as *mut u32) })
    })
}

unsafe extern "C" fn setsockopt(frame: *mut Frame) -> i64 {
    let [fd, level, name, value, len, _] = args(frame);
    with_socket(frame, fd, |s| {
        // SAFETY: the caller's option value of `len` bytes.
        i64::from(unsafe {
            ffi::uk_netstack_setsockopt(
                s,
                level as i32,
                name as i32,
                value as *const u8,
                len as u32,
            )
        })
    })
}

unsafe extern "C" fn getsockopt(frame: *mut Frame) -> i64 {
    let [fd, level, name, value, len, _] = args(frame);
    with_socket(frame, fd, |s| {
        // SAFETY: the caller's option buffer and its length.
        i64::from(unsafe {
            ffi::uk_netstack_getsockopt(
                s,
                level as i32,
                name as i32,
                value as *mut u8,
                len as *mut u32,
            )
        })
    })
}

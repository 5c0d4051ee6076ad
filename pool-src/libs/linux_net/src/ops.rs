//! The descriptor operations of a socket (`struct uk_file_ops`): reads and writes are
//! `recv`/`send` without flags, closing closes the netstack socket, readiness and
//! non-blocking mode are netstack's, and `poll`/`select` drive the stack with
//! `uk_netstack_poll` before they ask.

use crate::ffi::{self, FileOps};

const S_IFSOCK: u32 = 0o140000;
/// `MSG_NOSIGNAL`: writes to a closed connection fail with EPIPE (there are no signals anyway).
const MSG_NOSIGNAL: i32 = 0x4000;

unsafe extern "C" fn read(handle: u64, buffer: *mut u8, len: usize) -> i64 {
    // SAFETY: linux_syscall passes the caller's buffer of `len` bytes.
    unsafe {
        ffi::uk_netstack_recvfrom(
            handle as i32,
            buffer,
            len,
            0,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
        )
    }
}

unsafe extern "C" fn write(handle: u64, buffer: *const u8, len: usize) -> i64 {
    // SAFETY: as above.
    unsafe {
        ffi::uk_netstack_sendto(
            handle as i32,
            buffer,
            len,
            MSG_NOSIGNAL,
            core::ptr::null(),
            0,
        )
    }
}

unsafe extern "C" fn close(handle: u64) -> i32 {
    // SAFETY: the socket's last descriptor is gone.
    unsafe { ffi::uk_netstack_close(handle as i32) }
}

unsafe extern "C" fn readiness(handle: u64) -> i32 {
    // SAFETY: a query.
    unsafe { ffi::uk_netstack_readiness(handle as i32) }.max(0)
}

unsafe extern "C" fn set_nonblocking(handle: u64, on: i32) -> i32 {
    // SAFETY: a setting of a live socket.
    unsafe { ffi::uk_netstack_set_nonblocking(handle as i32, on) }
}

unsafe extern "C" fn available(handle: u64) -> i64 {
    // SAFETY: a query.
    unsafe { ffi::uk_netstack_available(handle as i32) }
}

unsafe extern "C" fn progress() -> i32 {
    // SAFETY: drives the device and the stack once.
    unsafe { ffi::uk_netstack_poll() }
}

pub static OPS: FileOps = FileOps {
    mode: S_IFSOCK,
    pad: 0,
    read,
    write,
    close,
    readiness,
    set_nonblocking,
    progress: Some(progress),
    available: Some(available),
};

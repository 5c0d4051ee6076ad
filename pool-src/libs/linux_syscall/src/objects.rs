//! Descriptors served by other libraries: a library (`linux_net` for sockets) describes its
//! objects with a `struct uk_file_ops` table and installs them in the descriptor table with
//! [`uk_syscall_fd_open`]; `read`, `write`, `readv`, `writev`, `close`, `fcntl(F_SETFL)`,
//! `ioctl(FIONBIO)`, `fstat`, `poll` and `select` then reach the object through the table, and
//! the library finds its object again from a descriptor with [`uk_syscall_fd_object`].

use crate::errno::*;
use crate::files;
use alloc::vec::Vec;

pub use syscall_abi::FileOps;

/// One object: its operations and the library's handle.
#[derive(Clone, Copy)]
pub struct Object {
    pub ops: &'static FileOps,
    pub handle: u64,
}

impl Object {
    pub fn mode(&self) -> u32 {
        self.ops.mode
    }

    pub fn read(&self, buffer: &mut [u8]) -> i64 {
        // SAFETY: the buffer is valid for `len` bytes; the library's contract.
        unsafe { (self.ops.read)(self.handle, buffer.as_mut_ptr(), buffer.len()) }
    }

    pub fn write(&self, bytes: &[u8]) -> i64 {
        // SAFETY: as above.
        unsafe { (self.ops.write)(self.handle, bytes.as_ptr(), bytes.len()) }
    }

    pub fn close(&self) {
        // SAFETY: the last descriptor is gone; the handle is not used again.
        unsafe { (self.ops.close)(self.handle) };
    }

    pub fn readiness(&self) -> i16 {
        // SAFETY: a query on a live handle.
        unsafe { (self.ops.readiness)(self.handle) as i16 }
    }

    pub fn set_nonblocking(&self, on: bool) {
        // SAFETY: a setting on a live handle.
        unsafe { (self.ops.set_nonblocking)(self.handle, i32::from(on)) };
    }

    /// The bytes a read would get now (`FIONREAD`), if the library says.
    pub fn available(&self) -> Option<i64> {
        // SAFETY: a query on a live handle.
        self.ops
            .available
            .map(|available| unsafe { available(self.handle) })
    }

    pub fn progress(&self) {
        if let Some(progress) = self.ops.progress {
            // SAFETY: the library's own driver step.
            unsafe { progress() };
        }
    }
}

/// Empties slot `handle` of a handle table (a `close` that has nothing else to do).
pub fn remove<T>(list: &mut [Option<T>], handle: u64) {
    if let Some(slot) = list.get_mut(handle as usize) {
        *slot = None;
    }
}

/// `write` for an object that takes no data (EINVAL, as Linux's epoll and timerfd answer).
pub unsafe extern "C" fn refuse_write(_: u64, _: *const u8, _: usize) -> i64 {
    -EINVAL
}

/// Puts `value` in the first free slot of a handle table (or a new one); returns its index.
pub fn insert<T>(list: &mut Vec<Option<T>>, value: T) -> usize {
    match list.iter().position(Option::is_none) {
        Some(i) => {
            list[i] = Some(value);
            i
        }
        None => {
            list.push(Some(value));
            list.len() - 1
        }
    }
}

/// Installs `handle` of `ops` at the lowest free descriptor; `flags` may carry O_NONBLOCK and
/// O_CLOEXEC. Returns the descriptor, or -EMFILE (the object is then closed).
///
/// # Safety
/// `ops` is a table that lives forever.
#[no_mangle]
pub unsafe extern "C" fn uk_syscall_fd_open(ops: *const FileOps, handle: u64, flags: u64) -> i64 {
    // SAFETY: the caller's contract.
    let Some(ops) = (unsafe { ops.as_ref() }) else {
        return -EINVAL;
    };
    files::install_object(Object { ops, handle }, flags)
}

/// The handle behind descriptor `fd` if `ops` serves it: 0 and `*handle` set, -EBADF for a
/// closed descriptor, -ENOTSOCK for one that another table (or a file) serves.
///
/// # Safety
/// `handle` is writable.
#[no_mangle]
pub unsafe extern "C" fn uk_syscall_fd_object(
    fd: i64,
    ops: *const FileOps,
    handle: *mut u64,
) -> i64 {
    match handle_of(fd, ops, ENOTSOCK) {
        Ok(found) => {
            // SAFETY: the caller's contract.
            unsafe { handle.write(found) };
            0
        }
        Err(e) => -e,
    }
}

/// The handle behind descriptor `fd` if `ops` serves it; EBADF for a closed descriptor,
/// `other` (the errno the call gives for another kind of descriptor) otherwise.
pub fn handle_of(fd: i64, ops: *const FileOps, other: i64) -> Result<u64, i64> {
    match files::object(fd)? {
        Some(object) if core::ptr::eq(object.ops, ops) => Ok(object.handle),
        _ => Err(other),
    }
}

/// The caller's `count` iovecs at `iov` as (base, len) pairs, and their total length (EINVAL
/// when it overflows).
pub fn iovecs(iov: u64, count: u64) -> Result<(Vec<(u64, usize)>, usize), i64> {
    let mut segments = Vec::with_capacity(count as usize);
    let mut total = 0usize;
    for i in 0..count {
        // SAFETY: the caller passed `count` iovecs.
        let (base, len) = unsafe {
            let entry = (iov + i * 16) as *const u64;
            (entry.read_unaligned(), entry.add(1).read_unaligned())
        };
        total = total
            .checked_add(len as usize)
            .filter(|t| *t <= isize::MAX as usize)
            .ok_or(EINVAL)?;
        segments.push((base, len as usize));
    }
    Ok((segments, total))
}

/// `readv`/`writev` on an object: one transfer through a bounce buffer, so that a stream sees
/// one read or write (as the kernel's socket layer does).
pub fn vectored(object: Object, iov: u64, count: u64, writing: bool) -> i64 {
    let (segments, total) = match iovecs(iov, count) {
        Ok(found) => found,
        Err(e) => return -e,
    };
    let mut bounce = alloc::vec![0u8; total];
    if writing {
        let mut at = 0;
        for &(base, len) in &segments {
            if len > 0 {
                // SAFETY: the caller's segment holds `len` readable bytes.
                bounce[at..at + len].copy_from_slice(unsafe {
                    core::slice::from_raw_parts(base as *const u8, len)
                });
            }
            at += len;
        }
        return object.write(&bounce);
    }
    let n = object.read(&mut bounce);
    if n > 0 {
        let mut at = 0;
        for &(base, len) in &segments {
            let take = len.min(n as usize - at);
            if take == 0 {
                break;
            }
            // SAFETY: the caller's segment holds `len` writable bytes; `take` ≤ len.
            unsafe { core::ptr::copy_nonoverlapping(bounce[at..].as_ptr(), base as *mut u8, take) };
            at += take;
        }
    }
    n
}

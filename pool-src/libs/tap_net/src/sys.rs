//! The few raw Linux system calls the driver makes, through plat_linuxu's system call gate (a
//! result in `-4095..=-1` is a negated errno).

const READ: usize = 0;
const WRITE: usize = 1;
const OPEN: usize = 2;
const CLOSE: usize = 3;
const IOCTL: usize = 16;

pub const O_RDONLY: usize = 0;
pub const O_RDWR: usize = 2;
pub const O_NONBLOCK: usize = 0o4000;
pub const O_CLOEXEC: usize = 0o2000000;

pub const EINTR: isize = 4;

extern "C" {
    /// plat_linuxu's system call gate (the pool's calls go through it, so a seccomp filter
    /// that traps the application's calls lets them through).
    fn ukplat_linuxu_syscall(
        number: isize,
        a0: usize,
        a1: usize,
        a2: usize,
        a3: usize,
        a4: usize,
        a5: usize,
    ) -> isize;
}

/// # Safety
/// The arguments must be valid for system call `number` (pointers to memory of the sizes the
/// kernel reads or writes).
unsafe fn syscall4(number: usize, a: usize, b: usize, c: usize, d: usize) -> isize {
    // SAFETY: the gate makes the call; the caller vouches for the arguments.
    unsafe { ukplat_linuxu_syscall(number as isize, a, b, c, d, 0, 0) }
}

/// `open(path, flags)`: a descriptor or a negated errno.
pub fn open(path: &core::ffi::CStr, flags: usize) -> isize {
    // SAFETY: the kernel reads a NUL-terminated path.
    unsafe { syscall4(OPEN, path.as_ptr() as usize, flags, 0, 0) }
}

pub fn close(fd: i32) {
    // SAFETY: close takes a plain integer.
    unsafe { syscall4(CLOSE, fd as usize, 0, 0, 0) };
}

/// `read(fd, buf)`: bytes read or a negated errno.
pub fn read(fd: i32, buf: &mut [u8]) -> isize {
    // SAFETY: the kernel writes at most `buf.len()` bytes into a valid slice.
    unsafe { syscall4(READ, fd as usize, buf.as_mut_ptr() as usize, buf.len(), 0) }
}

/// `write(fd, bytes)`: bytes written or a negated errno.
pub fn write(fd: i32, bytes: &[u8]) -> isize {
    // SAFETY: the kernel reads `bytes.len()` bytes from a valid slice.
    unsafe { syscall4(WRITE, fd as usize, bytes.as_ptr() as usize, bytes.len(), 0) }
}

/// `ioctl(fd, request, argument)` with a pointer argument.
///
/// # Safety
/// `argument` points to memory of the size and layout `request` reads and writes.
pub unsafe fn ioctl(fd: i32, request: usize, argument: *mut u8) -> isize {
    // SAFETY: the caller vouches for `argument`.
    unsafe { syscall4(IOCTL, fd as usize, request, argument as usize, 0) }
}

//! The C types of linux_syscall's extension interface (`uk/syscall.h`), shared by the
//! libraries that extend the system call layer (linux_thread, linux_net, linux_syscall_trap)
//! and by linux_syscall itself: the caller's saved registers (`struct uk_syscall_frame`), a
//! registered handler, and the operations of a descriptor another library serves
//! (`struct uk_file_ops`).

#![no_std]

/// The caller's registers at a `syscall` instruction (`struct uk_syscall_frame`), lowest
/// address first: the order in which linux_syscall's entry stub pushes them, in reverse.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Frame {
    /// The call number on entry.
    pub rax: u64,
    pub r9: u64,
    pub r8: u64,
    pub r10: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub rbx: u64,
    pub rbp: u64,
    /// The instruction after `syscall` (the CPU put it in rcx).
    pub rip: u64,
    /// The caller's flags (the CPU put them in r11).
    pub rflags: u64,
}

impl Frame {
    /// The six arguments, in the Linux order.
    pub fn args(&self) -> [u64; 6] {
        [self.rdi, self.rsi, self.rdx, self.r10, self.r8, self.r9]
    }
}

/// `long (*)(struct uk_syscall_frame *)`: serves a call with the caller's whole frame.
pub type Handler = unsafe extern "C" fn(frame: *mut Frame) -> i64;

/// `struct uk_file_ops`: a descriptor that another library serves. Results are a value or a
/// negative errno.
#[repr(C)]
pub struct FileOps {
    /// The file type bits of `st_mode` (`S_IFSOCK` for sockets).
    pub mode: u32,
    pub pad: u32,
    /// Reads up to `len` bytes (blocking unless the object is non-blocking).
    pub read: unsafe extern "C" fn(handle: u64, buffer: *mut u8, len: usize) -> i64,
    /// Writes up to `len` bytes.
    pub write: unsafe extern "C" fn(handle: u64, buffer: *const u8, len: usize) -> i64,
    /// Releases the object (its last descriptor is gone).
    pub close: unsafe extern "C" fn(handle: u64) -> i32,
    /// `poll` events (POLLIN, POLLOUT, POLLERR, POLLHUP) as the object stands now.
    pub readiness: unsafe extern "C" fn(handle: u64) -> i32,
    /// Makes reads and writes non-blocking (or blocking again).
    pub set_nonblocking: unsafe extern "C" fn(handle: u64, on: i32) -> i32,
    /// Drives the objects' I/O once (e.g. polls the network device) before `poll`/`select`
    /// ask for readiness. May be null.
    pub progress: Option<unsafe extern "C" fn() -> i32>,
    /// The bytes a read would get now (`ioctl(FIONREAD)`), or a negative errno. May be null
    /// (FIONREAD is then ENOTTY).
    pub available: Option<unsafe extern "C" fn(handle: u64) -> i64>,
}

/// `struct uk_syscall_host`: the host kernel's system call (linuxu's host mode).
#[repr(C)]
pub struct HostOps {
    pub syscall:
        unsafe extern "C" fn(nr: i64, a0: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64) -> i64,
}

/// `EINVAL`, returned (positive) for a malformed `struct timespec`.
const EINVAL: i64 = 22;

/// The `struct timespec` at `pointer` in nanoseconds (saturating); `Err(EINVAL)` for a
/// negative or out-of-range value.
///
/// # Safety
/// `pointer` is the address of a readable `struct timespec` (two 64-bit fields).
pub unsafe fn timespec_ns(pointer: u64) -> Result<u64, i64> {
    // SAFETY: the caller's contract.
    unsafe { pair_ns(pointer, 1) }
}

/// The `struct timeval` at `pointer` in nanoseconds (saturating); `Err(EINVAL)` for a
/// negative or out-of-range value.
///
/// # Safety
/// `pointer` is the address of a readable `struct timeval` (two 64-bit fields).
pub unsafe fn timeval_ns(pointer: u64) -> Result<u64, i64> {
    // SAFETY: the caller's contract.
    unsafe { pair_ns(pointer, 1_000) }
}

/// Seconds and a fraction counted in units of `unit_ns` nanoseconds, at `pointer`.
///
/// # Safety
/// `pointer` is the address of two readable 64-bit fields.
unsafe fn pair_ns(pointer: u64, unit_ns: u64) -> Result<u64, i64> {
    // SAFETY: the caller's contract.
    let (seconds, fraction) = unsafe {
        let p = pointer as *const i64;
        (p.read_unaligned(), p.add(1).read_unaligned())
    };
    if seconds < 0 || !(0..(1_000_000_000 / unit_ns) as i64).contains(&fraction) {
        return Err(EINVAL);
    }
    Ok((seconds as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(fraction as u64 * unit_ns))
}

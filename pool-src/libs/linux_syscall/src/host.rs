//! Host mode (linuxu): the table serves a Linux *process*'s trapped calls (`linux_syscall_trap`
//! attaches with [`uk_syscall_host_attach`]). Paths are the RAM filesystem's (the initrd is
//! the process's file system, as on kvm); descriptors and mappings the table made are its
//! own; every other descriptor (the console on 0–2, sockets, pipes) and mapping is the host
//! kernel's, and calls on them pass through ([`route`]). A descriptor of the table holds a
//! host descriptor number of its own (a placeholder memfd), so the two never collide.

use crate::entry::Frame;
use crate::{files, memory};
use core::sync::atomic::{AtomicPtr, Ordering};

pub use syscall_abi::HostOps;

static HOST: AtomicPtr<HostOps> = AtomicPtr::new(core::ptr::null_mut());

/// Puts the table in host mode. Call before the table serves anything (an init hook at
/// priority 01). Returns 0.
///
/// # Safety
/// `ops` lives forever.
#[no_mangle]
pub unsafe extern "C" fn uk_syscall_host_attach(ops: *const HostOps) -> i32 {
    HOST.store(ops.cast_mut(), Ordering::Release);
    0
}

fn ops() -> Option<&'static HostOps> {
    // SAFETY: only `uk_syscall_host_attach` stores here, a table that lives forever.
    unsafe { HOST.load(Ordering::Acquire).as_ref() }
}

/// True in host mode.
pub fn attached() -> bool {
    ops().is_some()
}

/// The host kernel's call (host mode only; -ENOSYS otherwise).
pub fn syscall(nr: i64, args: [u64; 6]) -> i64 {
    match ops() {
        // SAFETY: the host's system call with the caller's arguments.
        Some(ops) => unsafe {
            (ops.syscall)(nr, args[0], args[1], args[2], args[3], args[4], args[5])
        },
        None => -crate::errno::ENOSYS,
    }
}

/// Who serves a call in host mode.
#[derive(PartialEq, Eq)]
pub enum Route {
    Table,
    Host,
    /// `munmap` of a host mapping ([`memory::host_munmap`]).
    HostMunmap,
}

const AT_FDCWD: i64 = -100;
const AT_EMPTY_PATH: u64 = 0x1000;
const MAP_ANONYMOUS: u64 = 0x20;

/// A descriptor argument: a C `int` (the register's upper half is not the caller's).
fn descriptor(fd: u64) -> Route {
    if files::is_ours(fd as i32 as i64) {
        Route::Table
    } else {
        Route::Host
    }
}

fn directory(fd: u64) -> Route {
    if fd as i32 as i64 == AT_FDCWD {
        Route::Table
    } else {
        descriptor(fd)
    }
}

/// An empty path (the `AT_EMPTY_PATH` form of fstatat/statx names the descriptor itself).
fn empty_path(pointer: u64) -> bool {
    // SAFETY: the caller passed a NUL-terminated path.
    pointer != 0 && unsafe { (pointer as *const u8).read() } == 0
}

/// Who serves call `nr` with arguments `a`.
pub fn route(frame: &Frame) -> Route {
    let a = frame.args();
    match frame.rax {
        // read write close fstat lseek ioctl pread64 pwrite64 readv writev dup fcntl flock fsync
        // fdatasync ftruncate getdents fchdir fchmod fchown fstatfs getdents64 fallocate preadv
        // pwritev syncfs
        0 | 1 | 3 | 5 | 8 | 16 | 17 | 18 | 19 | 20 | 32 | 72 | 73 | 74 | 75 | 77 | 78 | 81 | 91
        | 93 | 138 | 217 | 285 | 295 | 296 | 306 => descriptor(a[0]),
        // sendfile, copy_file_range: the table's if either side is.
        40 | 326 => {
            let (input, output) = if frame.rax == 40 {
                (a[1], a[0])
            } else {
                (a[0], a[2])
            };
            if files::is_ours(input as i64) || files::is_ours(output as i64) {
                Route::Table
            } else {
                Route::Host
            }
        }
        // dup2, dup3: the table's if either side is.
        33 | 292 => {
            if files::is_ours(a[0] as i64) || files::is_ours(a[1] as i64) {
                Route::Table
            } else {
                Route::Host
            }
        }
        9 if a[3] & MAP_ANONYMOUS != 0 => Route::Host,
        9 => descriptor(a[4]),
        // mprotect of a table mapping: the table records it (its pages go back to read-write
        // before they return to the allocator).
        10 if memory::is_inside_ours(a[0]) => Route::Table,
        // munmap of a host mapping still comes to the table: it may be the caller's own stack.
        11 | 25 if memory::is_ours(a[0]) => Route::Table,
        11 => Route::HostMunmap,
        25 => Route::Host,
        // openat mkdirat unlinkat readlinkat faccessat faccessat2 renameat renameat2 fchownat
        // futimesat linkat fchmodat mknodat
        257 | 258 | 263 | 267 | 269 | 439 | 264 | 316 | 260 | 261 | 265 | 268 | 259 => {
            directory(a[0])
        }
        266 => directory(a[1]), // symlinkat
        // utimensat with a null path is futimens.
        280 if a[1] == 0 => descriptor(a[0]),
        280 => directory(a[0]),
        262 if a[3] & AT_EMPTY_PATH != 0 && empty_path(a[1]) => descriptor(a[0]),
        332 if a[2] & AT_EMPTY_PATH != 0 && empty_path(a[1]) => descriptor(a[0]),
        262 | 332 => directory(a[0]),
        7 | 271 => {
            if crate::wait::any_ours_in_pollfds(a[0], a[1]) {
                Route::Table
            } else {
                Route::Host
            }
        }
        23 | 270 => {
            if crate::wait::any_ours_in_sets(a[0], [a[1], a[2], a[3]]) {
                Route::Table
            } else {
                Route::Host
            }
        }
        // Paths (open, stat, access, mkdir, rename, ...) are the RAM filesystem's.
        _ => Route::Table,
    }
}

//! The initrd: the file named by the environment variable `UKL_INITRD` (which `ukl run --plat
//! linuxu --initrd` sets) is opened, mapped read-only and private, and listed in the region
//! table as a `UKPLAT_MEMR_MODULE` region, as QEMU's `-initrd` module is on kvm; linux_syscall
//! unpacks it from there. The descriptor is closed once the file is mapped. An empty file gives
//! no region; a file that cannot be opened or mapped is a start-up failure (see `lib.rs`).

use crate::syscall::{self, CLOSE, FSTAT, MMAP, OPENAT};
use core::ffi::CStr;
use core::sync::atomic::{AtomicU64, Ordering};

/// The mapped initrd (base, length), set once at start-up; length 0 when there is none.
static BASE: AtomicU64 = AtomicU64::new(0);
static LEN: AtomicU64 = AtomicU64::new(0);

const AT_FDCWD: isize = -100;
const O_RDONLY: usize = 0;
const O_CLOEXEC: usize = 0o2_000_000;
const PROT_READ: usize = 0x1;
const MAP_PRIVATE: usize = 0x02;
/// `st_mode`'s file-type bits, and the type of a regular file.
const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;

/// Why the initrd could not be mapped: the step that failed and, for a system call, its errno.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitrdError {
    Open(isize),
    Stat(isize),
    NotAFile,
    Map(isize),
}

impl InitrdError {
    /// What failed, as the message's verb ("cannot open"), and the errno if there is one.
    pub fn describe(self) -> (&'static str, Option<isize>) {
        match self {
            InitrdError::Open(errno) => ("cannot open", Some(errno)),
            InitrdError::Stat(errno) => ("cannot stat", Some(errno)),
            InitrdError::NotAFile => ("not a regular file", None),
            InitrdError::Map(errno) => ("cannot map", Some(errno)),
        }
    }
}

/// The `struct stat` of x86_64 Linux (144 bytes): `st_mode` is the `u32` at byte 24,
/// `st_size` the `i64` at byte 48.
#[repr(C, align(8))]
struct Stat([u8; 144]);

impl Stat {
    fn mode(&self) -> u32 {
        u32::from_ne_bytes([self.0[24], self.0[25], self.0[26], self.0[27]])
    }

    fn size(&self) -> u64 {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&self.0[48..56]);
        u64::from_ne_bytes(bytes)
    }
}

/// Maps the file at `path` read-only: `Some((base, length))`, or `None` for an empty file.
pub fn map(path: &CStr) -> Result<Option<(u64, u64)>, InitrdError> {
    // SAFETY: `path` is NUL-terminated; openat only reads it.
    let fd = unsafe {
        syscall::syscall6(
            OPENAT,
            [
                AT_FDCWD as usize,
                path.as_ptr() as usize,
                O_RDONLY | O_CLOEXEC,
                0,
                0,
                0,
            ],
        )
    };
    if syscall::is_error(fd) {
        return Err(InitrdError::Open(-fd));
    }
    let mapped = map_open(fd as usize);
    // SAFETY: closes the descriptor opened above; a mapping outlives its descriptor.
    unsafe { syscall::syscall6(CLOSE, [fd as usize, 0, 0, 0, 0, 0]) };
    mapped
}

/// `fstat` and `mmap` of an open descriptor.
fn map_open(fd: usize) -> Result<Option<(u64, u64)>, InitrdError> {
    let mut stat = Stat([0; 144]);
    // SAFETY: fstat writes one `struct stat` (144 bytes on x86_64) into `stat`.
    let result = unsafe { syscall::syscall6(FSTAT, [fd, &raw mut stat as usize, 0, 0, 0, 0]) };
    if syscall::is_error(result) {
        return Err(InitrdError::Stat(-result));
    }
    if stat.mode() & S_IFMT != S_IFREG {
        return Err(InitrdError::NotAFile);
    }
    let len = stat.size();
    if len == 0 {
        return Ok(None);
    }
    // SAFETY: a fresh read-only file mapping at an address the kernel chooses; it overlaps
    // nothing of ours.
    let base = unsafe { syscall::syscall6(MMAP, [0, len as usize, PROT_READ, MAP_PRIVATE, fd, 0]) };
    if syscall::is_error(base) {
        return Err(InitrdError::Map(-base));
    }
    Ok(Some((base as u64, len)))
}

/// Maps the initrd at `path` and records it for the region table.
pub fn init(path: &CStr) -> Result<(), InitrdError> {
    if let Some((base, len)) = map(path)? {
        BASE.store(base, Ordering::Relaxed);
        LEN.store(len, Ordering::Relaxed);
    }
    Ok(())
}

/// The mapped initrd (base, length), if there is one.
pub fn region() -> Option<(u64, u64)> {
    let len = LEN.load(Ordering::Relaxed);
    (len != 0).then(|| (BASE.load(Ordering::Relaxed), len))
}

/// The symbolic name of an errno a failed open or map is likely to give.
pub fn errno_name(errno: isize) -> Option<&'static str> {
    Some(match errno {
        1 => "EPERM",
        2 => "ENOENT",
        5 => "EIO",
        9 => "EBADF",
        12 => "ENOMEM",
        13 => "EACCES",
        19 => "ENODEV",
        20 => "ENOTDIR",
        21 => "EISDIR",
        22 => "EINVAL",
        23 => "ENFILE",
        24 => "EMFILE",
        36 => "ENAMETOOLONG",
        40 => "ELOOP",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    fn c_path(path: &std::path::Path) -> CString {
        CString::new(path.to_str().unwrap()).unwrap()
    }

    #[test]
    fn a_file_is_mapped_read_only_with_its_length() {
        let path = std::env::temp_dir().join(format!("plat-linuxu-initrd-{}", std::process::id()));
        std::fs::write(&path, b"070701 and the rest").unwrap();
        let mapped = map(&c_path(&path));
        std::fs::remove_file(&path).unwrap();
        let (base, len) = mapped.unwrap().unwrap();
        assert_eq!(len, 19);
        // SAFETY: the mapping just made holds `len` readable bytes.
        let bytes = unsafe { core::slice::from_raw_parts(base as *const u8, len as usize) };
        assert_eq!(bytes, b"070701 and the rest");
    }

    #[test]
    fn an_empty_file_gives_no_region() {
        let path = std::env::temp_dir().join(format!("plat-linuxu-empty-{}", std::process::id()));
        std::fs::write(&path, b"").unwrap();
        let mapped = map(&c_path(&path));
        std::fs::remove_file(&path).unwrap();
        assert_eq!(mapped, Ok(None));
    }

    #[test]
    fn failures_name_the_step_and_the_errno() {
        let missing = map(c"/nonexistent/ukl-initrd.cpio");
        assert_eq!(missing, Err(InitrdError::Open(2)));
        assert_eq!(errno_name(2), Some("ENOENT"));
        assert_eq!(map(c"/"), Err(InitrdError::NotAFile));
        assert_eq!(InitrdError::Map(12).describe(), ("cannot map", Some(12)));
    }
}

//! File attributes beyond `stat`: permission bits (the `chmod` family), owners (the `chown`
//! family: checked and accepted, not stored, since every file belongs to root), times (the
//! `utimensat` family: access and modification times set separately with nanoseconds,
//! `UTIME_NOW`, `UTIME_OMIT`; the change time moves with every attribute change), file
//! system statistics (`statfs`), advisory locks (`flock`: one process, so always granted) and
//! preallocation (`fallocate`). Links are [`crate::links`]'.

use crate::errno::*;
use crate::files::{self, now, result, with_node, Found, AT_SYMLINK_NOFOLLOW};
use crate::vfs::{Time, S_IFMT};

pub const AT_FDCWD: i64 = -100;
const AT_EMPTY_PATH: u64 = 0x1000;
const UTIME_NOW: i64 = (1 << 30) - 1;
const UTIME_OMIT: i64 = (1 << 30) - 2;
const TMPFS_MAGIC: u64 = 0x0102_1994;

/// `chmod`/`fchmod`/`fchmodat` (a null `path` names descriptor `dirfd` itself).
pub fn chmod(dirfd: i64, path: u64, mode: u64) -> i64 {
    result(with_node(dirfd, path, 0, &mut |found| {
        if let Found::Node(node) = found {
            node.mode = (node.mode & S_IFMT) | (mode as u32 & 0o7777);
            node.ctime = now();
        }
        Ok(0)
    }))
}

/// The `chown` family: the file must exist; owners are not stored, the change time moves.
pub fn chown(dirfd: i64, path: u64, flags: u64) -> i64 {
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return -EINVAL;
    }
    result(with_node(dirfd, path, flags, &mut |found| {
        if let Found::Node(node) = found {
            node.ctime = now();
        }
        Ok(0)
    }))
}

/// A new time for one of a file's times: keep it (`None`), or set it.
type Change = Option<Time>;

/// Sets the access and modification times of what `path` names from `dirfd`; the change time
/// becomes now.
fn set_times(dirfd: i64, path: u64, flags: u64, (atime, mtime): (Change, Change)) -> i64 {
    result(with_node(dirfd, path, flags, &mut |found| {
        if let Found::Node(node) = found {
            if let Some(atime) = atime {
                node.atime = atime;
            }
            if let Some(mtime) = mtime {
                node.mtime = mtime;
            }
            node.ctime = now();
        }
        Ok(0)
    }))
}

/// Reads two 64-bit words (a `timespec` or `timeval`) at `address`.
fn pair(address: u64) -> (i64, i64) {
    // SAFETY: the caller passed a structure of two 64-bit fields there.
    unsafe {
        (
            (address as *const i64).read_unaligned(),
            (address as *const i64).add(1).read_unaligned(),
        )
    }
}

/// One `timespec` of `utimensat`: `UTIME_OMIT`, `UTIME_NOW` or a time (EINVAL for
/// nanoseconds out of range).
fn timespec_change((sec, nsec): (i64, i64), now: Time) -> Result<Change, i64> {
    match nsec {
        UTIME_OMIT => Ok(None),
        UTIME_NOW => Ok(Some(now)),
        0..=999_999_999 => Ok(Some(Time { sec, nsec })),
        _ => Err(EINVAL),
    }
}

/// `utimensat(dirfd, path, times[2], flags)` (`futimens` is a null path): `times` null sets
/// both times to now; `UTIME_NOW` and `UTIME_OMIT` for each, as on Linux (both omitted: no
/// change at all, not even a lookup).
pub fn utimensat(dirfd: i64, path: u64, times: u64, flags: u64) -> i64 {
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0
        || (path == 0 && flags & AT_SYMLINK_NOFOLLOW != 0)
    {
        return -EINVAL;
    }
    let t = now();
    let changes = if times == 0 {
        (Some(t), Some(t))
    } else {
        let (access, modify) = (pair(times), pair(times + 16));
        if access.1 == UTIME_OMIT && modify.1 == UTIME_OMIT {
            return 0;
        }
        match (timespec_change(access, t), timespec_change(modify, t)) {
            (Ok(a), Ok(m)) => (a, m),
            _ => return -EINVAL,
        }
    };
    set_times(dirfd, path, flags, changes)
}

/// A `timeval` as a time (EINVAL for microseconds out of range).
fn timeval((sec, usec): (i64, i64)) -> Result<Change, i64> {
    if !(0..1_000_000).contains(&usec) {
        return Err(EINVAL);
    }
    Ok(Some(Time {
        sec,
        nsec: usec * 1000,
    }))
}

/// `utimes`/`futimesat(dirfd, path, timeval[2])`.
pub fn utimes(dirfd: i64, path: u64, times: u64) -> i64 {
    let changes = if times == 0 {
        let t = now();
        (Some(t), Some(t))
    } else {
        match (timeval(pair(times)), timeval(pair(times + 16))) {
            (Ok(a), Ok(m)) => (a, m),
            _ => return -EINVAL,
        }
    };
    set_times(dirfd, path, 0, changes)
}

/// `utime(path, struct utimbuf { actime, modtime })`.
pub fn utime(path: u64, times: u64) -> i64 {
    let changes = if times == 0 {
        let t = now();
        (Some(t), Some(t))
    } else {
        let (a, m) = pair(times);
        let second = |sec| Some(Time { sec, nsec: 0 });
        (second(a), second(m))
    };
    set_times(AT_FDCWD, path, 0, changes)
}

/// `statfs`/`fstatfs`: a memory file system (tmpfs's magic) as large as the heap.
pub fn statfs(dirfd: i64, path: u64, out: u64) -> i64 {
    if out == 0 {
        return -EFAULT;
    }
    let found = result(with_node(dirfd, path, 0, &mut |_| Ok(0)));
    if found < 0 {
        return found;
    }
    let memory = crate::system::memory();
    let block = 4096u64;
    // struct statfs: type, bsize, blocks, bfree, bavail, files, ffree, fsid (two i32),
    // namelen, frsize, flags, spare[4].
    let mut words = [0u64; 15];
    words[0] = TMPFS_MAGIC;
    words[1] = block;
    words[2] = memory.total_bytes as u64 / block;
    words[3] = memory.free_bytes as u64 / block;
    words[4] = words[3];
    words[5] = words[2];
    words[6] = words[3];
    words[8] = 255;
    words[9] = block;
    // SAFETY: the caller passed a `struct statfs` (120 bytes).
    unsafe { core::ptr::copy_nonoverlapping(words.as_ptr().cast::<u8>(), out as *mut u8, 120) };
    0
}

/// `flock(fd, operation)`.
pub fn flock(fd: i64, operation: u64) -> i64 {
    const LOCK_SH: u64 = 1;
    const LOCK_EX: u64 = 2;
    const LOCK_NB: u64 = 4;
    const LOCK_UN: u64 = 8;
    if let Err(e) = files::check_descriptor(fd) {
        return -e;
    }
    match operation & !LOCK_NB {
        LOCK_SH | LOCK_EX | LOCK_UN => 0,
        _ => -EINVAL,
    }
}

/// `fallocate(fd, mode, offset, len)`: mode 0 makes the file at least `offset + len` long.
pub fn fallocate(fd: i64, mode: u64, offset: i64, len: i64) -> i64 {
    if offset < 0 || len <= 0 {
        return -EINVAL;
    }
    if mode != 0 {
        return -EOPNOTSUPP;
    }
    let Some(end) = offset.checked_add(len) else {
        return -EINVAL;
    };
    result(with_node(fd, 0, 0, &mut |found| match found {
        Found::Node(node) if node.is_dir() => Err(EISDIR),
        Found::Node(node) => {
            node.data.allocate(offset as usize, end as usize)?;
            node.modified(now());
            Ok(0)
        }
        Found::Other => Err(ENODEV),
    }))
}

//! File attributes beyond `stat`: permission bits (the `chmod` family), owners (the `chown`
//! family: checked and accepted, not stored, since every file belongs to root), times (the
//! `utimensat` family; the RAM filesystem keeps the modification time in seconds), file
//! system statistics (`statfs`), advisory locks (`flock`: one process, so always granted),
//! preallocation (`fallocate`) and links (the RAM filesystem has none: `link`/`symlink` fail
//! with EPERM as on a file system without them, `readlink` with EINVAL or ENOENT).

use crate::errno::*;
use crate::files::{self, now_seconds, result, with_node, Found};
use crate::vfs::S_IFMT;

pub const AT_FDCWD: i64 = -100;
const UTIME_NOW: i64 = (1 << 30) - 1;
const UTIME_OMIT: i64 = (1 << 30) - 2;
const TMPFS_MAGIC: u64 = 0x0102_1994;

/// `chmod`/`fchmod`/`fchmodat` (a null `path` names descriptor `dirfd` itself).
pub fn chmod(dirfd: i64, path: u64, mode: u64) -> i64 {
    result(with_node(dirfd, path, 0, &mut |found| {
        if let Found::Node(node) = found {
            node.mode = (node.mode & S_IFMT) | (mode as u32 & 0o7777);
        }
        Ok(0)
    }))
}

/// The `chown` family: the file must exist; owners are not stored.
pub fn chown(dirfd: i64, path: u64, flags: u64) -> i64 {
    result(with_node(dirfd, path, flags, &mut |_| Ok(0)))
}

/// Sets the modification time of what `path` names from `dirfd` to `mtime` (seconds; `None`
/// leaves it).
fn set_mtime(dirfd: i64, path: u64, flags: u64, mtime: Option<i64>) -> i64 {
    result(with_node(dirfd, path, flags, &mut |found| {
        if let (Found::Node(node), Some(mtime)) = (found, mtime) {
            node.mtime = mtime;
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

/// `utimensat(dirfd, path, times[2], flags)` (`futimens` is a null path): `times` null sets
/// both times to now; `UTIME_NOW` and `UTIME_OMIT` as on Linux.
pub fn utimensat(dirfd: i64, path: u64, times: u64, flags: u64) -> i64 {
    let mtime = if times == 0 {
        Some(now_seconds())
    } else {
        let ((_, access_ns), (seconds, ns)) = (pair(times), pair(times + 16));
        let valid =
            |ns: i64| (0..1_000_000_000).contains(&ns) || ns == UTIME_NOW || ns == UTIME_OMIT;
        if !valid(access_ns) || !valid(ns) {
            return -EINVAL;
        }
        match ns {
            UTIME_OMIT => None,
            UTIME_NOW => Some(now_seconds()),
            _ => Some(seconds),
        }
    };
    set_mtime(dirfd, path, flags, mtime)
}

/// `utimes`/`futimesat(dirfd, path, timeval[2])`.
pub fn utimes(dirfd: i64, path: u64, times: u64) -> i64 {
    let mtime = if times == 0 {
        now_seconds()
    } else {
        let (seconds, us) = pair(times + 16);
        if !(0..1_000_000).contains(&us) {
            return -EINVAL;
        }
        seconds
    };
    set_mtime(dirfd, path, 0, Some(mtime))
}

/// `utime(path, struct utimbuf { actime, modtime })`.
pub fn utime(path: u64, times: u64) -> i64 {
    let mtime = if times == 0 {
        now_seconds()
    } else {
        pair(times).1
    };
    set_mtime(AT_FDCWD, path, 0, Some(mtime))
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
            if node.data.len() < end as usize {
                node.data.resize(end as usize, 0);
                node.mtime = now_seconds();
            }
            Ok(0)
        }
        Found::Other => Err(ENODEV),
    }))
}

/// `readlink`/`readlinkat`: nothing is a symbolic link.
pub fn readlink(dirfd: i64, path: u64) -> i64 {
    match result(with_node(dirfd, path, 0, &mut |_| Ok(0))) {
        0 => -EINVAL,
        error => error,
    }
}

/// `link`/`linkat`/`symlink`/`symlinkat`: `target` must exist for a hard link, `new` must
/// not; then EPERM, as on a file system without links.
pub fn link(old_dirfd: i64, old: Option<u64>, new_dirfd: i64, new: u64) -> i64 {
    if let Some(old) = old {
        let found = result(with_node(old_dirfd, old, 0, &mut |_| Ok(0)));
        if found < 0 {
            return found;
        }
    }
    match result(with_node(new_dirfd, new, 0, &mut |_| Ok(0))) {
        0 => -EEXIST,
        e if e == -ENOENT => -EPERM,
        e => e,
    }
}

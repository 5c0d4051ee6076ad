//! Names of the RAM filesystem: hard links (`link`, `linkat`), symbolic links (`symlink`,
//! `symlinkat`, `readlink`, `readlinkat`) and `rename`/`renameat2` (with `RENAME_NOREPLACE`
//! and `RENAME_EXCHANGE`) and `mknod`/`mknodat` (regular files and character devices), with
//! Linux's error numbers ([`crate::vfs`] does the work).

use crate::errno::*;
use crate::files::{accessed, now, result, user_path, with_state};
use crate::vfs::{Data, S_IFCHR, S_IFLNK, S_IFMT, S_IFREG};

const AT_SYMLINK_FOLLOW: u64 = 0x400;
const AT_EMPTY_PATH: u64 = 0x1000;

/// `linkat(old_dirfd, old, new_dirfd, new, flags)`: a new name for what `old` names (a final
/// symbolic link itself, unless `AT_SYMLINK_FOLLOW`; descriptor `old_dirfd`'s file with an
/// empty `old` and `AT_EMPTY_PATH`).
pub fn link(old_dirfd: i64, old: u64, new_dirfd: i64, new: u64, flags: u64) -> i64 {
    if flags & !(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH) != 0 {
        return -EINVAL;
    }
    result((|| {
        let (old, new) = (user_path(old)?, user_path(new)?);
        with_state(|s| {
            let ino = if old.is_empty() && flags & AT_EMPTY_PATH != 0 {
                s.descriptor_inode(old_dirfd, EBADF)?
            } else {
                s.lookup(old_dirfd, &old, flags & AT_SYMLINK_FOLLOW != 0)?
            };
            let (dir, name, trailing_slash) = s.parent_of(new_dirfd, &new)?;
            if s.fs.node(ino).is_some_and(|n| n.is_dir()) {
                return Err(EPERM);
            }
            if trailing_slash && s.fs.entry(dir, &name)?.is_none() {
                return Err(ENOENT);
            }
            s.fs.link(ino, dir, &name, now())?;
            Ok(0)
        })
    })())
}

/// `symlinkat(target, new_dirfd, new)`: a symbolic link holding `target` (not checked: it may
/// dangle).
pub fn symlink(target: u64, new_dirfd: i64, new: u64) -> i64 {
    result((|| {
        let (target, new) = (user_path(target)?, user_path(new)?);
        if target.is_empty() {
            return Err(ENOENT);
        }
        with_state(|s| {
            let (dir, name, trailing_slash) = s.parent_of(new_dirfd, &new)?;
            if trailing_slash && s.fs.entry(dir, &name)?.is_none() {
                return Err(ENOENT);
            }
            let data = Data::from_bytes(target.as_bytes())?;
            s.fs.create(dir, &name, S_IFLNK | 0o777, data, now())?;
            Ok(0)
        })
    })())
}

/// `readlinkat(dirfd, path, buffer, size)`: the target, truncated to `size` bytes, without a
/// NUL; EINVAL for what is no symbolic link. An empty path names descriptor `dirfd` (opened
/// with `O_PATH | O_NOFOLLOW` on a link).
pub fn readlink(dirfd: i64, path: u64, buffer: u64, size: u64) -> i64 {
    if size as i64 <= 0 {
        return -EINVAL;
    }
    result(user_path(path).and_then(|path| {
        with_state(|s| {
            let ino = if path.is_empty() {
                let ino = s.descriptor_inode(dirfd, ENOENT)?;
                if !s.fs.node(ino).is_some_and(|n| n.is_symlink()) {
                    return Err(ENOENT);
                }
                ino
            } else {
                s.lookup(dirfd, &path, false)?
            };
            let target = s.fs.link_target(ino).ok_or(EINVAL)?;
            let n = target.len().min(size as usize);
            // SAFETY: the caller passed `size` writable bytes at `buffer`.
            unsafe { core::ptr::copy_nonoverlapping(target.as_ptr(), buffer as *mut u8, n) };
            if let Some(node) = s.fs.node_mut(ino) {
                accessed(node, now());
            }
            Ok(n as i64)
        })
    }))
}

/// `renameat2(old_dirfd, old, new_dirfd, new, flags)`.
pub fn rename(old_dirfd: i64, old: u64, new_dirfd: i64, new: u64, flags: u64) -> i64 {
    result((|| {
        let (old, new) = (user_path(old)?, user_path(new)?);
        with_state(|s| {
            let (from_dir, from, from_slash) = s.parent_of(old_dirfd, &old)?;
            let (to_dir, to, to_slash) = s.parent_of(new_dirfd, &new)?;
            if from_slash || to_slash {
                // A trailing slash is for directories only.
                let source = s.fs.entry(from_dir, &from)?.ok_or(ENOENT)?;
                if !s.fs.node(source).is_some_and(|n| n.is_dir()) {
                    return Err(ENOTDIR);
                }
            }
            let replaced =
                s.fs.rename((from_dir, &from), (to_dir, &to), flags, now())?;
            if let Some(ino) = replaced {
                s.release_if_unused(ino);
            }
            Ok(0)
        })
    })())
}

/// `mknodat(dirfd, path, mode, dev)`: a regular file (type 0 or `S_IFREG`) or a character
/// device (`dev` in the kernel's encoding; reads and writes as [`crate::devices`] serves its
/// number). FIFOs, sockets and block devices are refused with EPERM and logged: the RAM
/// filesystem has no such nodes.
pub fn mknod(dirfd: i64, path: u64, mode: u64, dev: u64) -> i64 {
    const S_IFIFO: u32 = 0o010000;
    const S_IFBLK: u32 = 0o060000;
    const S_IFSOCK: u32 = 0o140000;
    let kind = mode as u32 & S_IFMT;
    let kind = match kind {
        0 | S_IFREG => S_IFREG,
        S_IFCHR => S_IFCHR,
        S_IFIFO | S_IFBLK | S_IFSOCK => {
            return crate::table::unsupported(259, "file type", u64::from(kind), EPERM)
        }
        _ => return -EINVAL,
    };
    let permissions = crate::files::creation_mode(mode);
    result(user_path(path).and_then(|path| {
        with_state(|s| {
            let (dir, name, trailing_slash) = s.parent_of(dirfd, &path)?;
            if trailing_slash && s.fs.entry(dir, &name)?.is_none() {
                return Err(ENOENT);
            }
            let ino =
                s.fs.create(dir, &name, kind | permissions, Data::default(), now())?;
            if kind == S_IFCHR {
                // The call's `unsigned int` device number is already `st_rdev`'s encoding.
                if let Some(node) = s.fs.node_mut(ino) {
                    node.rdev = dev & 0xffff_ffff;
                }
            }
            Ok(0)
        })
    }))
}

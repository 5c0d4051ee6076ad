//! File calls: descriptors over the console (0, 1 and 2 are a terminal) and the RAM
//! filesystem ([`crate::vfs`]), filled at boot from the initrd ([`crate::initrd`]).
//!
//! A descriptor refers to an open file description (target, offset, status flags) that `dup`
//! shares, as on Linux. A description refers to an inode, not a path: a file renamed or
//! unlinked while open stays readable and writable through it, and its inode goes with the
//! last name, descriptor and shared mapping ([`State::release_if_unused`]). Paths are resolved
//! against the working directory (`/` at boot) or a directory descriptor for the `*at` calls,
//! following symbolic links as Linux does ([`vfs::Fs::lookup`]). There are no owners or
//! permission checks: everything belongs to root. Reads update the access time with Linux's
//! default `relatime` rule (unless `O_NOATIME`); writes and truncation the modification and
//! change times. A shared mapping of a file aliases its bytes ([`map_shared`]).
//!
//! In host mode (linuxu, [`crate::host`]) the table holds only the descriptors it made, each
//! on a host descriptor number it reserves with a placeholder; 0–2 and everything else are the
//! host's.
//!
//! A descriptor can also refer to an object that another library serves (a socket of
//! `linux_net`, see [`crate::objects`]): reads and writes go to its operations, outside the
//! state's borrow, because they may block and let other threads make system calls.

use crate::cell::Global;
use crate::devices;
use crate::errno::*;
use crate::host;
use crate::objects::Object;
use crate::platform::{
    console, ukplat_memregion_count, ukplat_memregion_get, ukplat_wall_ns, MemRegion,
    MEMREGION_MODULE,
};
use crate::vfs::{self, Data, Fs, Ino, Lookup, Time, ROOT, S_IFCHR, S_IFDIR, S_IFMT, S_IFREG};
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

const O_ACCMODE: u64 = 3;
const O_WRONLY: u64 = 1;
const O_RDONLY: u64 = 0;
const O_CREAT: u64 = 0o100;
const O_EXCL: u64 = 0o200;
const O_TRUNC: u64 = 0o1000;
const O_APPEND: u64 = 0o2000;
const O_DIRECTORY: u64 = 0o200000;
const O_CLOEXEC: u64 = 0o2000000;
const O_NOFOLLOW: u64 = 0o400000;
const O_NOATIME: u64 = 0o1000000;
/// `O_TMPFILE` (its own bit with `O_DIRECTORY`).
const O_TMPFILE: u64 = 0o20000000 | O_DIRECTORY;
const ELOOP: i64 = 40;
const ENAMETOOLONG: i64 = 36;
const EACCES: i64 = 13;
pub const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
const O_PATH: u64 = 0o10000000;
pub const O_NONBLOCK: u64 = 0o4000;
const O_RDWR: u64 = 2;
/// Status flags that `F_SETFL` may change.
const O_SETTABLE: u64 = O_APPEND | 0o4000 | 0o20000 | 0o40000 | 0o1000000;
const AT_FDCWD: i64 = -100;
const AT_EMPTY_PATH: u64 = 0x1000;
const AT_REMOVEDIR: u64 = 0x200;
/// One more than the highest descriptor number a new descriptor may get: `RLIMIT_NOFILE`'s
/// soft limit (in host mode the host's, which the host enforces on the numbers it hands out).
fn descriptor_limit() -> usize {
    if host::attached() {
        crate::system::NR_OPEN as usize
    } else {
        usize::try_from(crate::system::limit(crate::system::RLIMIT_NOFILE)).unwrap_or(usize::MAX)
    }
}
const PATH_MAX: usize = 4096;

#[derive(Clone)]
enum Target {
    ConsoleIn,
    ConsoleOut,
    Node(Ino),
    Object(Object),
}

struct Description {
    target: Target,
    offset: u64,
    /// Access mode and status flags from `open`.
    flags: u64,
}

impl Drop for Description {
    /// The last descriptor of an object is gone: its library closes it.
    fn drop(&mut self) {
        if let Target::Object(object) = &self.target {
            object.close();
        }
    }
}

#[derive(Clone)]
struct Descriptor {
    description: Rc<RefCell<Description>>,
    close_on_exec: bool,
}

pub(crate) struct State {
    pub(crate) fs: Fs,
    descriptors: Vec<Option<Descriptor>>,
    cwd: Ino,
}

static STATE: Global<Option<State>> = Global::new(None);

fn console_descriptor(target: Target, flags: u64) -> Option<Descriptor> {
    Some(Descriptor {
        description: Rc::new(RefCell::new(Description {
            target,
            offset: 0,
            flags,
        })),
        close_on_exec: false,
    })
}

impl State {
    /// The state at the first call: the console on 0–2 (the host's own in host mode), and a
    /// filesystem with what programs expect to find: a writable /tmp and the device files.
    fn new() -> State {
        let mut fs = Fs::new();
        let t = now();
        for (path, mode) in [("/tmp", 0o1777), ("/dev", 0o755), ("/dev/shm", 0o1777)] {
            let _ = fs.create_path(path, S_IFDIR | mode, Data::default(), t);
        }
        for (path, rdev) in devices::NODES {
            let _ = fs.create_device(path, rdev, t);
        }
        State {
            fs,
            descriptors: if host::attached() {
                Vec::new()
            } else {
                alloc::vec![
                    console_descriptor(Target::ConsoleIn, O_RDONLY),
                    console_descriptor(Target::ConsoleOut, O_WRONLY),
                    console_descriptor(Target::ConsoleOut, O_WRONLY),
                ]
            },
            cwd: ROOT,
        }
    }
}

pub(crate) fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|state| f(state.get_or_insert_with(State::new)))
}

/// The file mode creation mask (`umask`): one process, one mask.
static UMASK: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0o022);

/// `umask(mask)`: sets the mask, returns the old one.
pub fn umask(mask: u64) -> i64 {
    let old = UMASK.swap(mask as u32 & 0o777, core::sync::atomic::Ordering::Relaxed);
    i64::from(old)
}

/// Permission bits of a new file or directory: the caller's, less the umask.
pub fn creation_mode(mode: u64) -> u32 {
    mode as u32 & 0o7777 & !UMASK.load(core::sync::atomic::Ordering::Relaxed)
}

/// The wall-clock time, for file times.
pub fn now() -> Time {
    // SAFETY: a plain query.
    let ns = unsafe { ukplat_wall_ns() };
    Time {
        sec: (ns / 1_000_000_000) as i64,
        nsec: (ns % 1_000_000_000) as i64,
    }
}

/// A read of `node` at `now`: the access time moves as Linux's default `relatime` mount
/// option has it (`relatime_need_update`): when it is not later than the modification or
/// change time, or is a day old.
pub fn accessed(node: &mut vfs::Node, now: Time) {
    let due = node.mtime >= node.atime
        || node.ctime >= node.atime
        || now.sec - node.atime.sec >= 24 * 60 * 60;
    if due {
        node.atime = now;
    }
}

/// Adds the `/etc` files an initrd did not bring ([`crate::etc`]).
pub fn fill_etc() {
    with_state(|s| crate::etc::fill(&mut s.fs));
}

/// Unpacks the first platform module that holds a newc cpio archive into the filesystem;
/// returns the number of entries (0 without an initrd).
pub fn mount_initrd() -> usize {
    // SAFETY: plain queries of the platform's region table.
    let count = unsafe { ukplat_memregion_count() };
    for i in 0..count {
        let mut region = MemRegion::default();
        // SAFETY: `region` is a valid out-pointer.
        if unsafe { ukplat_memregion_get(i, &mut region) } != 0
            || region.flags & MEMREGION_MODULE == 0
        {
            continue;
        }
        // SAFETY: module regions are identity-mapped RAM that the platform reserved.
        let memory =
            unsafe { core::slice::from_raw_parts(region.base as *const u8, region.len as usize) };
        let Some(start) = crate::initrd::find(memory, 4096) else {
            continue;
        };
        return with_state(
            |s| match crate::initrd::unpack(&memory[start..], &mut s.fs) {
                Ok(n) => n,
                Err(e) => {
                    let _ = core::fmt::Write::write_fmt(
                        &mut crate::platform::Console,
                        format_args!("ukl: initrd: {e:?}, files after it are missing\n"),
                    );
                    0
                }
            },
        );
    }
    0
}

/// A NUL-terminated path from the caller.
pub fn user_path(pointer: u64) -> Result<String, i64> {
    if pointer == 0 {
        return Err(EFAULT);
    }
    let mut bytes = Vec::new();
    loop {
        // SAFETY: the caller passed a NUL-terminated string; reading stops at the NUL.
        let b = unsafe { ((pointer + bytes.len() as u64) as *const u8).read() };
        if b == 0 {
            break;
        }
        bytes.push(b);
        if bytes.len() >= PATH_MAX {
            return Err(ENAMETOOLONG);
        }
    }
    String::from_utf8(bytes).map_err(|_| ENOENT)
}

/// The caller's `len` bytes at `pointer`, if it may read them all (else `EFAULT`).
fn user_bytes<'a>(pointer: u64, len: u64) -> Result<&'a [u8], i64> {
    if len == 0 {
        return Ok(&[]);
    }
    crate::memory::user_access(pointer, len, false)?;
    // SAFETY: the pages are mapped readable; the caller passed `len` bytes there.
    Ok(unsafe { core::slice::from_raw_parts(pointer as *const u8, len as usize) })
}

/// The caller's `len` bytes at `pointer`, if it may write them all (else `EFAULT`).
fn user_bytes_mut<'a>(pointer: u64, len: u64) -> Result<&'a mut [u8], i64> {
    if len == 0 {
        return Ok(&mut []);
    }
    crate::memory::user_access(pointer, len, true)?;
    // SAFETY: the pages are mapped writable; the caller passed `len` bytes there.
    Ok(unsafe { core::slice::from_raw_parts_mut(pointer as *mut u8, len as usize) })
}

impl State {
    pub(crate) fn node(&self, ino: Ino) -> Option<&vfs::Node> {
        self.fs.node(ino)
    }

    pub(crate) fn node_mut(&mut self, ino: Ino) -> Option<&mut vfs::Node> {
        self.fs.node_mut(ino)
    }

    /// Whether a descriptor, the working directory or a shared mapping uses inode `ino`.
    fn is_used(&self, ino: Ino) -> bool {
        self.cwd == ino
            || self.fs.node(ino).is_some_and(|n| n.data.mapped())
            || self
                .descriptors
                .iter()
                .flatten()
                .any(|d| matches!(d.description.borrow().target, Target::Node(i) if i == ino))
    }

    /// Drops inode `ino` if it has no name left and nothing uses it.
    pub(crate) fn release_if_unused(&mut self, ino: Ino) {
        if !self.is_used(ino) {
            self.fs.release(ino);
        }
    }

    /// Puts `descriptor` at `index`, releasing what the slot held before.
    fn put(&mut self, index: usize, descriptor: Option<Descriptor>) {
        if self.descriptors.len() <= index {
            self.descriptors.resize(index + 1, None);
        }
        let old = core::mem::replace(&mut self.descriptors[index], descriptor);
        if let Some(old) = old {
            let target = old.description.borrow().target.clone();
            drop(old);
            if let Target::Node(ino) = target {
                self.release_if_unused(ino);
            }
        }
    }

    fn descriptor(&self, fd: i64) -> Result<&Descriptor, i64> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.descriptors.get(i))
            .and_then(Option::as_ref)
            .ok_or(EBADF)
    }

    fn install(&mut self, descriptor: Descriptor, lowest: usize) -> Result<i64, i64> {
        let index = if host::attached() {
            reserve_host_number(lowest)?
        } else {
            (lowest..descriptor_limit())
                .find(|&i| self.descriptors.get(i).is_none_or(Option::is_none))
                .ok_or(EMFILE)?
        };
        self.put(index, Some(descriptor));
        Ok(index as i64)
    }

    /// Makes directory `ino` the working directory.
    fn change_directory(&mut self, ino: Ino) -> Result<i64, i64> {
        match self.fs.node(ino) {
            None => Err(ENOENT),
            Some(n) if !n.is_dir() => Err(ENOTDIR),
            Some(_) => {
                let old = core::mem::replace(&mut self.cwd, ino);
                self.release_if_unused(old);
                Ok(0)
            }
        }
    }

    /// The directory a relative path starts from: the working directory or `dirfd`'s.
    fn start(&self, dirfd: i64, path: &str) -> Result<Ino, i64> {
        if path.starts_with('/') || dirfd == AT_FDCWD {
            return Ok(self.cwd);
        }
        match self.descriptor(dirfd)?.description.borrow().target {
            Target::Node(ino) if self.fs.node(ino).is_some_and(|n| n.is_dir()) => Ok(ino),
            _ => Err(ENOTDIR),
        }
    }

    /// What `path` names from `dirfd` (a final symbolic link followed when `follow`).
    pub(crate) fn lookup(&mut self, dirfd: i64, path: &str, follow: bool) -> Result<Ino, i64> {
        if let Some(ino) = self.descriptor_link(dirfd, path).filter(|_| follow) {
            return Ok(ino);
        }
        let start = self.start(dirfd, path)?;
        self.fs.resolve(start, path, follow)
    }

    /// The file that `/dev/fd/N` or `/proc/self/fd/N` leads to, as Linux's links to a
    /// process's descriptors do (musl's `fchmodat(AT_SYMLINK_NOFOLLOW)` and `fchmod` of an
    /// `O_PATH` descriptor go through them).
    fn descriptor_link(&self, dirfd: i64, path: &str) -> Option<Ino> {
        if !path.contains("fd/") && !path.contains("/dev/std") {
            return None;
        }
        let fd = standard_alias(&self.lexical(dirfd, path)?)?;
        match self.descriptor(fd).ok()?.description.borrow().target {
            Target::Node(ino) => Some(ino),
            _ => None,
        }
    }

    /// The directory holding `path`'s last component from `dirfd`, that component, and
    /// whether the path ended with a slash.
    pub(crate) fn parent_of(&mut self, dirfd: i64, path: &str) -> Result<(Ino, String, bool), i64> {
        let start = self.start(dirfd, path)?;
        self.fs.parent_of(start, path)
    }

    /// The inode descriptor `fd` is open on (ENOENT-free: EBADF, or `other` for a descriptor
    /// that is no file).
    pub(crate) fn descriptor_inode(&self, fd: i64, other: i64) -> Result<Ino, i64> {
        if fd == AT_FDCWD {
            return Ok(self.cwd);
        }
        match self.descriptor(fd)?.description.borrow().target {
            Target::Node(ino) => Ok(ino),
            _ => Err(other),
        }
    }

    /// The lexical absolute form of `path` from `dirfd`, for names that are no files
    /// (`/dev/fd/N`); None when `dirfd` is a directory descriptor (no alias is relative to
    /// one).
    fn lexical(&self, dirfd: i64, path: &str) -> Option<String> {
        if path.starts_with('/') {
            Some(vfs::normalize("/", path))
        } else if dirfd == AT_FDCWD {
            Some(vfs::normalize(&self.fs.path_of(self.cwd)?, path))
        } else {
            None
        }
    }
}

pub fn result(r: Result<i64, i64>) -> i64 {
    r.unwrap_or_else(|e| -e)
}

/// The descriptor that `/dev/stdin`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and
/// `/proc/self/fd/N` name (on Linux, links to the process's own descriptors).
fn standard_alias(path: &str) -> Option<i64> {
    match path {
        "/dev/stdin" => Some(0),
        "/dev/stdout" => Some(1),
        "/dev/stderr" => Some(2),
        _ => path
            .strip_prefix("/dev/fd/")
            .or_else(|| path.strip_prefix("/proc/self/fd/"))
            .and_then(|n| n.parse().ok()),
    }
}

/// Opening a descriptor's alias gives a new descriptor on the same file, as opening Linux's
/// `/proc/self/fd/N` does for the console, pipes and sockets (the host's own, on linuxu).
fn open_alias(fd: i64, path: &str, flags: u64, mode: u64) -> i64 {
    if host::attached() && !is_ours(fd) {
        const OPENAT: i64 = 257;
        let mut name = Vec::from(path.as_bytes());
        name.push(0);
        return host::syscall(
            OPENAT,
            [AT_FDCWD as u64, name.as_ptr() as u64, flags, mode, 0, 0],
        );
    }
    match dup(fd, None, flags & O_CLOEXEC) {
        // Linux: the link does not exist.
        e if e == -EBADF => -ENOENT,
        fd => fd,
    }
}

pub fn openat(dirfd: i64, path: u64, flags: u64, mode: u64) -> i64 {
    let path = match user_path(path) {
        Ok(p) => p,
        Err(e) => return -e,
    };
    if let Some(fd) = with_state(|s| s.lexical(dirfd, &path)).and_then(|p| standard_alias(&p)) {
        return open_alias(fd, &path, flags, mode);
    }
    result(with_state(|s| {
        let start = s.start(dirfd, &path)?;
        let o_path = flags & O_PATH != 0;
        let create = flags & O_CREAT != 0 && !o_path;
        let exclusive = create && flags & O_EXCL != 0;
        let follow = flags & O_NOFOLLOW == 0 && !exclusive;
        let t = now();
        if flags & O_TMPFILE == O_TMPFILE {
            // An unnamed file in a directory, which `linkat(fd, "", ..., AT_EMPTY_PATH)` may
            // name unless O_EXCL.
            if flags & O_ACCMODE == O_RDONLY {
                return Err(EINVAL);
            }
            let dir = s.fs.resolve(start, &path, true)?;
            if !s.node(dir).is_some_and(|n| n.is_dir()) {
                return Err(ENOTDIR);
            }
            let mode = S_IFREG | creation_mode(mode);
            let ino = s.fs.create_anonymous(mode, t, flags & O_EXCL == 0);
            let descriptor = Descriptor {
                description: Rc::new(RefCell::new(Description {
                    target: Target::Node(ino),
                    offset: 0,
                    flags: flags & !(O_TMPFILE | O_EXCL | O_CLOEXEC),
                })),
                close_on_exec: flags & O_CLOEXEC != 0,
            };
            return s
                .install(descriptor, 0)
                .inspect_err(|_| s.release_if_unused(ino));
        }
        let ino = match s.fs.lookup(start, &path, follow)? {
            Lookup::Found(_) if exclusive => return Err(EEXIST),
            Lookup::Found(ino) => {
                let node = s.fs.node_mut(ino).ok_or(ENOENT)?;
                let writing = flags & O_ACCMODE != O_RDONLY;
                match node.kind() {
                    vfs::S_IFLNK if !o_path => return Err(ELOOP),
                    S_IFDIR if !o_path && (writing || create) => return Err(EISDIR),
                    kind if kind != S_IFDIR && flags & O_DIRECTORY != 0 => return Err(ENOTDIR),
                    S_IFREG if flags & O_TRUNC != 0 && writing && !o_path => {
                        node.data.resize(0)?;
                        node.modified(t);
                    }
                    _ => {}
                }
                ino
            }
            Lookup::Missing { .. } if !create => return Err(ENOENT),
            Lookup::Missing {
                trailing_slash: true,
                ..
            } => return Err(EISDIR),
            Lookup::Missing { dir, name, .. } => {
                if flags & O_DIRECTORY != 0 {
                    return Err(EINVAL);
                }
                let mode = S_IFREG | creation_mode(mode);
                s.fs.create(dir, &name, mode, Data::default(), t)?
            }
        };
        let descriptor = Descriptor {
            description: Rc::new(RefCell::new(Description {
                target: Target::Node(ino),
                offset: 0,
                flags: flags & !(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC),
            })),
            close_on_exec: flags & O_CLOEXEC != 0,
        };
        s.install(descriptor, 0)
    }))
}

pub fn close(fd: i64) -> i64 {
    result(with_state(|s| {
        s.descriptor(fd)?;
        s.put(fd as usize, None);
        if host::attached() {
            host::syscall(3, [fd as u64, 0, 0, 0, 0, 0]);
        }
        Ok(0)
    }))
}

/// Reads into `buffer` at `offset` (the description's when `None`, which then advances).
fn read_at(fd: i64, buffer: &mut [u8], offset: Option<u64>) -> Result<i64, i64> {
    // The console's input may make the caller wait: outside the state.
    let console = with_state(|s| {
        let description = s.descriptor(fd)?.description.borrow();
        let readable = description.flags & O_ACCMODE != O_WRONLY;
        Ok::<_, i64>(match description.target {
            Target::ConsoleIn if readable && offset.is_none() => {
                Some(description.flags & O_NONBLOCK != 0)
            }
            _ => None,
        })
    })?;
    if let Some(nonblocking) = console {
        return crate::console_in::read(buffer, nonblocking);
    }
    with_state(|s| {
        let descriptor = s.descriptor(fd)?.clone();
        let mut description = descriptor.description.borrow_mut();
        if description.flags & O_ACCMODE == O_WRONLY || description.flags & O_PATH != 0 {
            return Err(EBADF);
        }
        match &description.target {
            Target::ConsoleIn | Target::ConsoleOut if offset.is_some() => Err(ESPIPE),
            // Descriptor 1 or 2 read as a terminal's output side: nothing arrives there.
            Target::ConsoleIn | Target::ConsoleOut => Ok(0),
            Target::Object(_) => Err(ESPIPE),
            Target::Node(ino) => {
                let noatime = description.flags & O_NOATIME != 0;
                let node = s.fs.node_mut(*ino).ok_or(EBADF)?;
                if node.is_dir() {
                    return Err(EISDIR);
                }
                if node.mode & S_IFMT == S_IFCHR {
                    return devices::read(node.rdev, buffer);
                }
                let at = offset.unwrap_or(description.offset) as usize;
                let n = node.data.read(at, buffer);
                if !buffer.is_empty() && !noatime {
                    accessed(node, now());
                }
                if offset.is_none() {
                    description.offset += n as u64;
                }
                Ok(n as i64)
            }
        }
    })
}

fn write_at(fd: i64, bytes: &[u8], offset: Option<u64>) -> Result<i64, i64> {
    with_state(|s| {
        let descriptor = s.descriptor(fd)?.clone();
        let mut description = descriptor.description.borrow_mut();
        if description.flags & O_ACCMODE == O_RDONLY || description.flags & O_PATH != 0 {
            return Err(EBADF);
        }
        let append = description.flags & O_APPEND != 0;
        match description.target.clone() {
            Target::ConsoleIn | Target::ConsoleOut if offset.is_some() => Err(ESPIPE),
            Target::ConsoleIn | Target::ConsoleOut => {
                console(bytes);
                Ok(bytes.len() as i64)
            }
            Target::Object(_) => Err(ESPIPE),
            Target::Node(ino) => {
                let node = s.node_mut(ino).ok_or(EBADF)?;
                if node.mode & S_IFMT == S_IFCHR {
                    return devices::write(node.rdev, bytes);
                }
                // Linux appends with O_APPEND whatever the offset, `pwrite` included.
                let at = match offset {
                    _ if append => node.data.len(),
                    Some(o) => o as usize,
                    None => description.offset as usize,
                };
                let end = at.checked_add(bytes.len()).ok_or(EINVAL)?;
                if !bytes.is_empty() {
                    node.data.write(at, bytes)?;
                    node.modified(now());
                }
                if offset.is_none() {
                    description.offset = end as u64;
                }
                Ok(bytes.len() as i64)
            }
        }
    })
}

pub fn read(fd: i64, buffer: u64, len: u64) -> i64 {
    if let Err(e) = check_descriptor(fd) {
        return -e;
    }
    let out = match user_bytes_mut(buffer, len) {
        Ok(out) => out,
        Err(e) => return -e,
    };
    match object(fd) {
        Ok(Some(object)) => object.read(out),
        _ => result(read_at(fd, out, None)),
    }
}

pub fn write(fd: i64, buffer: u64, len: u64) -> i64 {
    if let Err(e) = check_descriptor(fd) {
        return -e;
    }
    let data = match user_bytes(buffer, len) {
        Ok(data) => data,
        Err(e) => return -e,
    };
    match object(fd) {
        Ok(Some(object)) => object.write(data),
        _ => result(write_at(fd, data, None)),
    }
}

pub fn pread(fd: i64, buffer: u64, len: u64, offset: i64) -> i64 {
    if offset < 0 {
        return -EINVAL;
    }
    result(user_bytes_mut(buffer, len).and_then(|out| read_at(fd, out, Some(offset as u64))))
}

pub fn pwrite(fd: i64, buffer: u64, len: u64, offset: i64) -> i64 {
    if offset < 0 {
        return -EINVAL;
    }
    result(user_bytes(buffer, len).and_then(|data| write_at(fd, data, Some(offset as u64))))
}

/// `readv`/`writev`: one call per `struct iovec { base, len }`, stopping at a short transfer.
pub fn vectored(fd: i64, iov: u64, count: u64, writing: bool) -> i64 {
    if count > 1024 {
        return -EINVAL;
    }
    if let Ok(Some(object)) = object(fd) {
        return crate::objects::vectored(object, iov, count, writing);
    }
    let mut total = 0i64;
    for i in 0..count {
        // SAFETY: the caller passed `count` iovecs.
        let (base, len) = unsafe {
            let entry = (iov + i * 16) as *const u64;
            (entry.read_unaligned(), entry.add(1).read_unaligned())
        };
        let done = if writing {
            user_bytes(base, len).and_then(|data| write_at(fd, data, None))
        } else {
            user_bytes_mut(base, len).and_then(|out| read_at(fd, out, None))
        };
        match done {
            Ok(n) => {
                total += n;
                if (n as u64) < len {
                    break;
                }
            }
            Err(e) if total == 0 => return -e,
            Err(_) => break,
        }
    }
    total
}

pub fn lseek(fd: i64, offset: i64, whence: u64) -> i64 {
    result(with_state(|s| {
        let descriptor = s.descriptor(fd)?.clone();
        let mut description = descriptor.description.borrow_mut();
        let Target::Node(ino) = description.target else {
            return Err(ESPIPE);
        };
        if s.node(ino).is_some_and(|n| n.mode & S_IFMT == S_IFCHR) {
            // Devices have no position (Linux's null and zero answer 0).
            description.offset = 0;
            return Ok(0);
        }
        let size = s.node(ino).map_or(0, |n| n.data.len()) as i64;
        const SEEK_DATA: u64 = 3;
        const SEEK_HOLE: u64 = 4;
        if let (SEEK_DATA | SEEK_HOLE, Some(node)) = (whence, s.node(ino)) {
            if node.kind() != S_IFREG {
                return Err(EINVAL);
            }
            let from = usize::try_from(offset).map_err(|_| 6i64)?; // ENXIO
            let at = node.data.seek(from, whence == SEEK_DATA)?;
            description.offset = at as u64;
            return Ok(at as i64);
        }
        let base = match whence {
            0 => 0,
            1 => description.offset as i64,
            2 => size,
            _ => return Err(EINVAL),
        };
        let new = base.checked_add(offset).filter(|o| *o >= 0).ok_or(EINVAL)?;
        description.offset = new as u64;
        Ok(new)
    }))
}

/// What `stat` reports about a target.
struct Attributes {
    mode: u32,
    size: u64,
    inode: u64,
    nlink: u64,
    blocks: u64,
    /// Access, modification and status change times.
    times: [Time; 3],
    rdev: u64,
}

/// `st_dev` of the RAM filesystem (minor 1 of major 0, as a tmpfs mount has one).
const DEVICE: u64 = 1;

fn attributes(s: &State, target: &Target) -> Result<Attributes, i64> {
    let fixed = |mode, inode, rdev| Attributes {
        mode,
        size: 0,
        inode,
        nlink: 1,
        blocks: 0,
        times: [Time::default(); 3],
        rdev,
    };
    match target {
        Target::ConsoleIn | Target::ConsoleOut => Ok(fixed(S_IFCHR | 0o620, 3, 0x8800)),
        Target::Object(object) => Ok(fixed(object.mode() | 0o777, object.handle + 1, 0)),
        Target::Node(ino) => {
            let node = s.node(*ino).ok_or(ENOENT)?;
            Ok(Attributes {
                mode: node.mode,
                size: node.size(),
                inode: node.inode,
                nlink: u64::from(node.nlink),
                blocks: node.blocks(),
                times: [node.atime, node.mtime, node.ctime],
                rdev: node.rdev,
            })
        }
    }
}

/// Fills a kernel `struct stat` (x86_64 layout, 144 bytes).
fn write_stat(out: u64, a: &Attributes) -> Result<i64, i64> {
    if out == 0 {
        return Err(EFAULT);
    }
    let mut words = [0u64; 18];
    words[0] = DEVICE;
    words[1] = a.inode;
    words[2] = a.nlink;
    words[3] = u64::from(a.mode); // st_mode, then st_uid = 0
    words[4] = 0; // st_gid, padding
    words[5] = a.rdev;
    words[6] = a.size;
    words[7] = 4096; // st_blksize
    words[8] = a.blocks;
    for (i, time) in a.times.iter().enumerate() {
        words[9 + 2 * i] = time.sec as u64;
        words[10 + 2 * i] = time.nsec as u64;
    }
    // SAFETY: the caller passed a `struct stat` (144 bytes).
    unsafe { core::ptr::copy_nonoverlapping(words.as_ptr().cast::<u8>(), out as *mut u8, 144) };
    Ok(0)
}

/// Fills a `struct statx` (256 bytes).
fn write_statx(out: u64, a: &Attributes) -> Result<i64, i64> {
    if out == 0 {
        return Err(EFAULT);
    }
    let mut bytes = [0u8; 256];
    let mut put =
        |offset: usize, value: &[u8]| bytes[offset..offset + value.len()].copy_from_slice(value);
    put(0, &0x7ffu32.to_le_bytes()); // STATX_BASIC_STATS
    put(4, &4096u32.to_le_bytes());
    put(16, &(a.nlink as u32).to_le_bytes());
    put(28, &(a.mode as u16).to_le_bytes());
    put(32, &a.inode.to_le_bytes());
    put(40, &a.size.to_le_bytes());
    put(48, &a.blocks.to_le_bytes());
    // atime, ctime, mtime (statx_timestamp: i64 seconds, u32 nanoseconds).
    for (offset, time) in [(0x40, a.times[0]), (0x60, a.times[2]), (0x70, a.times[1])] {
        put(offset, &time.sec.to_le_bytes());
        put(offset + 8, &(time.nsec as u32).to_le_bytes());
    }
    put(0x80, &((a.rdev >> 8) as u32).to_le_bytes());
    put(0x84, &((a.rdev & 0xff) as u32).to_le_bytes());
    put(0x8c, &(DEVICE as u32).to_le_bytes());
    // SAFETY: the caller passed a `struct statx` (256 bytes).
    unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), out as *mut u8, 256) };
    Ok(0)
}

/// The attributes of `path` from `dirfd` (or of `dirfd` itself with AT_EMPTY_PATH).
fn lookup(dirfd: i64, path: u64, flags: u64) -> Result<Attributes, i64> {
    let path = user_path(path)?;
    with_state(|s| {
        if path.is_empty() && flags & AT_EMPTY_PATH != 0 {
            let target = if dirfd == AT_FDCWD {
                Target::Node(s.cwd)
            } else {
                s.descriptor(dirfd)?.description.borrow().target.clone()
            };
            return attributes(s, &target);
        }
        let ino = s.lookup(dirfd, &path, flags & AT_SYMLINK_NOFOLLOW == 0)?;
        attributes(s, &Target::Node(ino))
    })
}

/// What [`with_node`] found: a file of the RAM filesystem, or a descriptor that is none (the
/// console, an object of another library), whose attributes are fixed.
pub enum Found<'a> {
    Node(&'a mut vfs::Node),
    Other,
}

/// Runs `f` on what `path` names from `dirfd` (a final symbolic link followed unless
/// `AT_SYMLINK_NOFOLLOW`) — or, for a null path or an empty one with `AT_EMPTY_PATH`, on what
/// descriptor `dirfd` is open on (the `f*` calls). One body for all callers (`f` is a trait
/// object): the attribute calls are many and small.
pub fn with_node(
    dirfd: i64,
    path: u64,
    flags: u64,
    f: &mut dyn FnMut(Found<'_>) -> Result<i64, i64>,
) -> Result<i64, i64> {
    let path = if path == 0 {
        None
    } else {
        Some(user_path(path)?).filter(|p| !(p.is_empty() && flags & AT_EMPTY_PATH != 0))
    };
    with_state(|s| {
        let ino = match path {
            Some(path) => s.lookup(dirfd, &path, flags & AT_SYMLINK_NOFOLLOW == 0)?,
            None => match s.descriptor_inode(dirfd, -1) {
                Err(-1) => return f(Found::Other),
                other => other?,
            },
        };
        f(Found::Node(s.node_mut(ino).ok_or(ENOENT)?))
    })
}

/// Whether `fd` is a descriptor of the table (EBADF otherwise).
pub fn check_descriptor(fd: i64) -> Result<(), i64> {
    with_state(|s| s.descriptor(fd).map(|_| ()))
}

pub fn fstat(fd: i64, out: u64) -> i64 {
    result(
        with_state(|s| {
            let target = s.descriptor(fd)?.description.borrow().target.clone();
            attributes(s, &target)
        })
        .and_then(|a| write_stat(out, &a)),
    )
}

pub fn fstatat(dirfd: i64, path: u64, out: u64, flags: u64) -> i64 {
    result(lookup(dirfd, path, flags).and_then(|a| write_stat(out, &a)))
}

pub fn statx(dirfd: i64, path: u64, flags: u64, out: u64) -> i64 {
    result(lookup(dirfd, path, flags).and_then(|a| write_statx(out, &a)))
}

/// `faccessat2(dirfd, path, mode, flags)`: root may do anything, except execute a file
/// without an execute bit.
pub fn access(dirfd: i64, path: u64, mode: u64, flags: u64) -> i64 {
    const X_OK: u64 = 1;
    if mode & !7 != 0 || flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x200) != 0 {
        return -EINVAL;
    }
    result(lookup(dirfd, path, flags).and_then(|a| {
        if mode & X_OK != 0 && a.mode & S_IFMT != S_IFDIR && a.mode & 0o111 == 0 {
            return Err(EACCES);
        }
        Ok(0)
    }))
}

/// `getdents64`: `struct linux_dirent64 { u64 ino; i64 off; u16 reclen; u8 type; name }`,
/// records 8-byte aligned; the description's offset counts entries (".", ".." first).
pub fn getdents64(fd: i64, buffer: u64, len: u64) -> i64 {
    result(with_state(|s| {
        let descriptor = s.descriptor(fd)?.clone();
        let mut description = descriptor.description.borrow_mut();
        let Target::Node(dir) = description.target else {
            return Err(ENOTDIR);
        };
        let noatime = description.flags & O_NOATIME != 0;
        let node = s.fs.node_mut(dir).ok_or(ENOENT)?;
        if !node.is_dir() {
            return Err(ENOTDIR);
        }
        if !noatime {
            accessed(node, now());
        }
        if node.nlink == 0 {
            // A removed directory lists nothing, not even `.` and `..`.
            return Ok(0);
        }
        let mut entries = alloc::vec![
            (String::from("."), node.inode, S_IFDIR),
            (String::from(".."), node.parent, S_IFDIR),
        ];
        entries.extend(s.fs.list(dir));
        let out = user_bytes_mut(buffer, len)?;
        let mut used = 0usize;
        let mut index = description.offset as usize;
        while let Some((name, inode, mode)) = entries.get(index) {
            let record = (19 + name.len() + 1).next_multiple_of(8);
            if used + record > out.len() {
                if used == 0 {
                    return Err(EINVAL);
                }
                break;
            }
            let slot = &mut out[used..used + record];
            slot.fill(0);
            slot[0..8].copy_from_slice(&inode.to_le_bytes());
            slot[8..16].copy_from_slice(&((index + 1) as i64).to_le_bytes());
            slot[16..18].copy_from_slice(&(record as u16).to_le_bytes());
            slot[18] = ((mode & S_IFMT) >> 12) as u8; // DT_DIR, DT_REG, DT_CHR, DT_LNK
            slot[19..19 + name.len()].copy_from_slice(name.as_bytes());
            used += record;
            index += 1;
        }
        description.offset = index as u64;
        Ok(used as i64)
    }))
}

pub fn mkdirat(dirfd: i64, path: u64, mode: u64) -> i64 {
    result(user_path(path).and_then(|path| {
        with_state(|s| {
            let (dir, name, _) = s.parent_of(dirfd, &path)?;
            // A directory keeps its permission and sticky bits only, as on Linux.
            let mode = S_IFDIR | (creation_mode(mode) & 0o1777);
            s.fs.create(dir, &name, mode, Data::default(), now())
                .map(|_| 0)
        })
    }))
}

pub fn unlinkat(dirfd: i64, path: u64, flags: u64) -> i64 {
    if flags & !AT_REMOVEDIR != 0 {
        return -EINVAL;
    }
    let directory = flags & AT_REMOVEDIR != 0;
    result(user_path(path).and_then(|path| {
        with_state(|s| {
            let (dir, name, trailing_slash) = s.parent_of(dirfd, &path)?;
            if trailing_slash && !directory {
                // `unlink("x/")`: a directory is one (EISDIR), anything else is not (ENOTDIR).
                let ino = s.fs.entry(dir, &name)?.ok_or(ENOENT)?;
                let is_dir = s.node(ino).is_some_and(|n| n.is_dir());
                return Err(if is_dir { EISDIR } else { ENOTDIR });
            }
            let ino = s.fs.unlink(dir, &name, directory, now())?;
            s.release_if_unused(ino);
            Ok(0)
        })
    }))
}

fn truncate_node(s: &mut State, ino: Ino, len: i64) -> Result<i64, i64> {
    if len < 0 {
        return Err(EINVAL);
    }
    let node = s.node_mut(ino).ok_or(ENOENT)?;
    match node.kind() {
        S_IFDIR => return Err(EISDIR),
        S_IFREG => {}
        _ => return Err(EINVAL),
    }
    node.data.resize(len as usize)?;
    node.modified(now());
    Ok(0)
}

pub fn ftruncate(fd: i64, len: i64) -> i64 {
    result(with_state(|s| {
        let description = s.descriptor(fd)?.description.clone();
        let description = description.borrow();
        if description.flags & O_ACCMODE == O_RDONLY || description.flags & O_PATH != 0 {
            return Err(if description.flags & O_PATH != 0 {
                EBADF
            } else {
                EINVAL
            });
        }
        match description.target {
            Target::Node(ino) => truncate_node(s, ino, len),
            _ => Err(EINVAL),
        }
    }))
}

pub fn truncate(path: u64, len: i64) -> i64 {
    result(user_path(path).and_then(|path| {
        with_state(|s| {
            let ino = s.lookup(AT_FDCWD, &path, true)?;
            truncate_node(s, ino, len)
        })
    }))
}

/// `dup` (new = None), `dup2`/`dup3` (new = Some).
pub fn dup(old: i64, new: Option<i64>, flags: u64) -> i64 {
    if let (Some(new), true) = (new, host::attached()) {
        return host_dup2(old, new, flags);
    }
    result(with_state(|s| {
        let mut descriptor = s.descriptor(old)?.clone();
        descriptor.close_on_exec = flags & O_CLOEXEC != 0;
        match new {
            None => s.install(descriptor, 0),
            Some(new) => {
                let index = usize::try_from(new)
                    .ok()
                    .filter(|i| *i < descriptor_limit())
                    .ok_or(EBADF)?;
                s.put(index, Some(descriptor));
                Ok(new)
            }
        }
    }))
}

pub fn fcntl(fd: i64, command: u64, argument: u64) -> i64 {
    const F_DUPFD: u64 = 0;
    const F_GETFD: u64 = 1;
    const F_SETFD: u64 = 2;
    const F_GETFL: u64 = 3;
    const F_SETFL: u64 = 4;
    const F_GETLK: u64 = 5;
    const F_SETLKW: u64 = 7;
    const F_DUPFD_CLOEXEC: u64 = 1030;
    result(with_state(|s| {
        let descriptor = s.descriptor(fd)?.clone();
        match command {
            F_DUPFD | F_DUPFD_CLOEXEC => {
                if argument >= descriptor_limit() as u64 {
                    return Err(EINVAL);
                }
                let mut copy = descriptor;
                copy.close_on_exec = command == F_DUPFD_CLOEXEC;
                s.install(copy, argument as usize)
            }
            F_GETFD => Ok(i64::from(descriptor.close_on_exec)),
            F_SETFD => {
                if let Some(Some(d)) = s.descriptors.get_mut(fd as usize) {
                    d.close_on_exec = argument & 1 != 0;
                }
                Ok(0)
            }
            F_GETFL => Ok(descriptor.description.borrow().flags as i64),
            F_SETFL => {
                let mut description = descriptor.description.borrow_mut();
                description.flags = (description.flags & !O_SETTABLE) | (argument & O_SETTABLE);
                if let Target::Object(object) = &description.target {
                    object.set_nonblocking(argument & O_NONBLOCK != 0);
                }
                Ok(0)
            }
            // Record locks: one process, so every lock is granted.
            F_GETLK..=F_SETLKW => Ok(0),
            _ => Err(-crate::table::unsupported(72, "command", command, EINVAL)),
        }
    }))
}

/// Terminal ioctls on the console: `TIOCGWINSZ` (80×24) and `TCGETS` (a zeroed termios);
/// anything on a file is `ENOTTY`.
pub fn ioctl(fd: i64, request: u64, argument: u64) -> i64 {
    const TCGETS: u64 = 0x5401;
    const TIOCGWINSZ: u64 = 0x5413;
    result(with_state(|s| {
        const FIONBIO: u64 = 0x5421;
        const FIONREAD: u64 = 0x541b;
        let description = s.descriptor(fd)?.description.clone();
        let target = description.borrow().target.clone();
        if request == FIONREAD {
            let n = readable_bytes(s, &target, description.borrow().offset)?;
            // SAFETY: the caller passed an `int *`.
            unsafe { (argument as *mut i32).write_unaligned(n.min(i64::from(i32::MAX)) as i32) };
            return Ok(0);
        }
        match (target, request) {
            (Target::Object(object), FIONBIO) => {
                // SAFETY: the caller passed an `int *`.
                let on = unsafe { (argument as *const i32).read_unaligned() } != 0;
                object.set_nonblocking(on);
                let mut description = description.borrow_mut();
                description.flags =
                    (description.flags & !O_NONBLOCK) | (u64::from(on) * O_NONBLOCK);
                Ok(0)
            }
            (Target::Node(ino), _) if !s.node(ino).is_some_and(|n| devices::is_console(n.rdev)) => {
                Err(ENOTTY)
            }
            (Target::Object(_), _) => {
                Err(-crate::table::unsupported(16, "request", request, ENOTTY))
            }
            (_, TIOCGWINSZ) => {
                let size: [u16; 4] = [24, 80, 0, 0];
                // SAFETY: the caller passed a `struct winsize` (four u16).
                unsafe { core::ptr::copy_nonoverlapping(size.as_ptr(), argument as *mut u16, 4) };
                Ok(0)
            }
            (_, TCGETS) => {
                // SAFETY: the caller passed a kernel `struct termios` (60 bytes).
                unsafe { core::ptr::write_bytes(argument as *mut u8, 0, 60) };
                Ok(0)
            }
            _ => Err(-crate::table::unsupported(16, "request", request, EINVAL)),
        }
    }))
}

pub fn getcwd(buffer: u64, size: u64) -> i64 {
    result(with_state(|s| {
        // The working directory was removed: Linux's getcwd fails the same way.
        let cwd = s.fs.path_of(s.cwd).ok_or(ENOENT)?;
        let needed = cwd.len() + 1;
        if (size as usize) < needed {
            return Err(ERANGE);
        }
        let out = user_bytes_mut(buffer, size)?;
        out[..cwd.len()].copy_from_slice(cwd.as_bytes());
        out[cwd.len()] = 0;
        Ok(needed as i64)
    }))
}

pub fn chdir(path: u64) -> i64 {
    result(user_path(path).and_then(|path| {
        with_state(|s| {
            let ino = s.lookup(AT_FDCWD, &path, true)?;
            s.change_directory(ino)
        })
    }))
}

/// `memfd_create(name, flags)`: an anonymous RAM file, as if created and unlinked at once (it
/// lives while a descriptor refers to it; `name` is only checked).
pub fn memfd_create(name: u64, flags: u64) -> i64 {
    const MFD_CLOEXEC: u64 = 1;
    const MFD_ALLOW_SEALING: u64 = 2;
    if flags & !(MFD_CLOEXEC | MFD_ALLOW_SEALING) != 0 {
        return -EINVAL;
    }
    result(user_path(name).and_then(|name| {
        if name.len() > 249 {
            return Err(EINVAL);
        }
        with_state(|s| {
            let ino = s.fs.create_anonymous(S_IFREG | 0o600, now(), false);
            let descriptor = Descriptor {
                description: Rc::new(RefCell::new(Description {
                    target: Target::Node(ino),
                    offset: 0,
                    flags: O_RDWR,
                })),
                close_on_exec: flags & MFD_CLOEXEC != 0,
            };
            s.install(descriptor, 0).inspect_err(|_| {
                s.release_if_unused(ino);
            })
        })
    }))
}

/// `fchdir(fd)`: to the directory `fd` is open on.
pub fn fchdir(fd: i64) -> i64 {
    result(with_state(|s| {
        let target = s.descriptor(fd)?.description.borrow().target.clone();
        match target {
            Target::Node(ino) => s.change_directory(ino),
            _ => Err(ENOTDIR),
        }
    }))
}

/// `ioctl(fd, FIONREAD, &n)`: the bytes a read would get now (a file: from the position to
/// the end; a pipe or socket pair: what is queued; the console: none).
fn readable_bytes(s: &State, target: &Target, offset: u64) -> Result<i64, i64> {
    match target {
        Target::ConsoleIn | Target::ConsoleOut => Ok(0),
        Target::Object(object) => match crate::pipes::queued(*object).or(object.available()) {
            Some(n) if n < 0 => Err(-n),
            Some(n) => Ok(n),
            None => Err(ENOTTY),
        },
        Target::Node(ino) => {
            let node = s.node(*ino).ok_or(EBADF)?;
            if node.is_dir() {
                return Err(EISDIR);
            }
            Ok((node.data.len() as u64).saturating_sub(offset) as i64)
        }
    }
}

/// A copy of `len` bytes of the file behind `fd` from `offset`, for a private file mapping
/// (a device gives none: zeroed memory, as `/dev/zero` is).
pub fn file_bytes(fd: i64, offset: u64, len: u64) -> Result<Vec<u8>, i64> {
    with_state(|s| {
        let description = s.descriptor(fd)?.description.clone();
        let description = description.borrow();
        if description.flags & O_PATH != 0 {
            return Err(EBADF);
        }
        if description.flags & O_ACCMODE == O_WRONLY {
            return Err(EACCES);
        }
        let Target::Node(ino) = description.target else {
            return Err(ENODEV);
        };
        let node = s.node_mut(ino).ok_or(ENODEV)?;
        match node.kind() {
            S_IFREG => {
                let available = (node.data.len() as u64).saturating_sub(offset).min(len);
                let mut bytes = alloc::vec![0; available as usize];
                node.data.read(offset as usize, &mut bytes);
                Ok(bytes)
            }
            S_IFCHR => Ok(Vec::new()),
            _ => Err(ENODEV),
        }
    })
}

/// Whether `fd` is open on a regular file of the RAM filesystem.
pub fn is_regular_file(fd: i64) -> bool {
    with_state(|s| match s.descriptor(fd) {
        Ok(d) => match d.description.borrow().target {
            Target::Node(ino) => s.node(ino).is_some_and(|n| n.kind() == S_IFREG),
            _ => false,
        },
        Err(_) => false,
    })
}

/// `mmap(address, len, prot, MAP_SHARED, fd, offset)` of a regular file: the mapping is the
/// file's own storage ([`vfs::Data::map`]), so mappings of one file and its `read`/`write`
/// see the same bytes. Recorded with [`crate::memory::record_shared`]; [`unmap_shared`]
/// ends it. `MAP_FIXED` cannot place the file's storage at a given address (no page tables
/// are changed): refused with ENOMEM and logged.
pub fn map_shared(fd: i64, address: u64, len: u64, prot: u64, flags: u64, offset: u64) -> i64 {
    const PROT_WRITE: u64 = 2;
    const MAP_FIXED: u64 = 0x10;
    const MAP_FIXED_NOREPLACE: u64 = 0x10_0000;
    let _ = address;
    if len == 0 || !offset.is_multiple_of(crate::memory::PAGE_SIZE) || len >= 1 << 40 {
        return -EINVAL;
    }
    if flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0 {
        return crate::table::unsupported(9, "shared file mapping flag", MAP_FIXED, ENOMEM);
    }
    let len = len.next_multiple_of(crate::memory::PAGE_SIZE);
    result(with_state(|s| {
        let description = s.descriptor(fd)?.description.clone();
        let description = description.borrow();
        let access = description.flags & O_ACCMODE;
        if description.flags & O_PATH != 0 {
            return Err(EBADF);
        }
        if access == O_WRONLY || (prot & PROT_WRITE != 0 && access == O_RDONLY) {
            return Err(EACCES);
        }
        let Target::Node(ino) = description.target else {
            return Err(ENODEV);
        };
        let node = s.node_mut(ino).ok_or(ENODEV)?;
        let start = node.data.map(offset as usize, len as usize)? as u64;
        crate::memory::record_shared(start, len, ino);
        Ok(start as i64)
    }))
}

/// A shared mapping of inode `ino` is gone (`munmap`).
pub fn unmap_shared(ino: Ino) {
    with_state(|s| {
        if let Some(node) = s.node_mut(ino) {
            node.data.unmap();
        }
        s.release_if_unused(ino);
    });
}

/// The object behind `fd`, if it is one (`Ok(None)` for files and the console).
pub fn object(fd: i64) -> Result<Option<Object>, i64> {
    with_state(|s| match &s.descriptor(fd)?.description.borrow().target {
        Target::Object(object) => Ok(Some(*object)),
        _ => Ok(None),
    })
}

/// Installs a new descriptor (the lowest free one) for `object`; `flags` may carry
/// `O_NONBLOCK` and `O_CLOEXEC`. Without a free descriptor the object is closed.
pub fn install_object(object: Object, flags: u64) -> i64 {
    result(with_state(|s| {
        let descriptor = Descriptor {
            description: Rc::new(RefCell::new(Description {
                target: Target::Object(object),
                offset: 0,
                flags: O_RDWR | (flags & O_NONBLOCK),
            })),
            close_on_exec: flags & O_CLOEXEC != 0,
        };
        s.install(descriptor, 0)
    }))
}

/// How a descriptor stands for `poll`.
pub enum Readiness {
    /// Ready for these `poll` events now and always (files and the console).
    Always(i16),
    Object(Object),
    Closed,
}

pub fn readiness(fd: i64) -> Readiness {
    const POLLIN: i16 = 1;
    const POLLOUT: i16 = 4;
    with_state(|s| {
        let Ok(descriptor) = s.descriptor(fd) else {
            return Readiness::Closed;
        };
        let description = descriptor.description.borrow();
        match &description.target {
            Target::Object(object) => Readiness::Object(*object),
            // Regular files and directories are always ready both ways, whatever the mode.
            Target::Node(_) => Readiness::Always(POLLIN | POLLOUT),
            Target::ConsoleIn if crate::console_in::readable() => Readiness::Always(POLLIN),
            Target::ConsoleIn => Readiness::Always(0),
            Target::ConsoleOut => Readiness::Always(POLLOUT),
        }
    })
}

/// True if `fd` is one of the table's descriptors.
pub fn is_ours(fd: i64) -> bool {
    with_state(|s| s.descriptor(fd).is_ok())
}

/// Host mode: a free host descriptor number ≥ `lowest`, held by a placeholder (a memfd) until
/// the table's descriptor on it is closed.
fn reserve_host_number(lowest: usize) -> Result<usize, i64> {
    const MEMFD_CREATE: i64 = 319;
    const FCNTL: i64 = 72;
    const CLOSE: i64 = 3;
    const MFD_CLOEXEC: u64 = 1;
    const F_DUPFD_CLOEXEC: u64 = 1030;
    let name = b"ukl-file\0";
    let fd = host::syscall(
        MEMFD_CREATE,
        [name.as_ptr() as u64, MFD_CLOEXEC, 0, 0, 0, 0],
    );
    if fd < 0 {
        return Err(-fd);
    }
    let number = if (fd as usize) < lowest {
        let moved = host::syscall(FCNTL, [fd as u64, F_DUPFD_CLOEXEC, lowest as u64, 0, 0, 0]);
        host::syscall(CLOSE, [fd as u64, 0, 0, 0, 0, 0]);
        if moved < 0 {
            return Err(-moved);
        }
        moved
    } else {
        fd
    };
    match usize::try_from(number)
        .ok()
        .filter(|n| *n < descriptor_limit())
    {
        Some(n) => Ok(n),
        None => {
            host::syscall(CLOSE, [number as u64, 0, 0, 0, 0, 0]);
            Err(EMFILE)
        }
    }
}

/// Host mode `dup2`/`dup3(old, new)`: the host moves the number (closing whatever host
/// descriptor `new` was), and the table follows: `new` gets `old`'s description when `old` is
/// the table's, and loses its own otherwise.
fn host_dup2(old: i64, new: i64, flags: u64) -> i64 {
    const DUP3: i64 = 292;
    if old == new {
        return if flags != 0 {
            -EINVAL
        } else if is_ours(old) {
            new
        } else {
            host::syscall(33, [old as u64, new as u64, 0, 0, 0, 0])
        };
    }
    let Some(index) = usize::try_from(new)
        .ok()
        .filter(|i| *i < descriptor_limit())
    else {
        return -EBADF;
    };
    result(with_state(|s| {
        let copy = s.descriptor(old).ok().cloned();
        let moved = host::syscall(DUP3, [old as u64, new as u64, flags & O_CLOEXEC, 0, 0, 0]);
        if moved < 0 {
            return Err(-moved);
        }
        let copy = copy.map(|mut d| {
            d.close_on_exec = flags & O_CLOEXEC != 0;
            d
        });
        s.put(index, copy);
        Ok(new)
    }))
}

/// True if `fd` is a file or directory of the RAM filesystem.
pub fn is_regular(fd: i64) -> bool {
    with_state(|s| {
        s.descriptor(fd)
            .is_ok_and(|d| matches!(d.description.borrow().target, Target::Node(_)))
    })
}

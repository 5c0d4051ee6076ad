//! The RAM filesystem, as tmpfs behaves: inodes (regular files holding their bytes in
//! [`Data`], directories holding names, symbolic links holding their target, character
//! devices) that several names may share (hard links, `st_nlink` counted), and path
//! resolution that follows symbolic links in every component, as Linux does: relative targets
//! from the link's directory, `..` physically (after a link, from where the link led), at
//! most 40 links per lookup (ELOOP), ENOTDIR through a non-directory, ENAMETOOLONG for a
//! component over 255 bytes.
//!
//! An inode lives while a name or a user holds it: [`Fs::unlink`] drops a name, and the
//! caller ([`crate::files`], which knows the open descriptors and shared mappings) calls
//! [`Fs::release`] when nothing uses it any more. Times are kept per inode with nanoseconds;
//! the caller passes "now" to each change. Pure data structure with errno results, tested on
//! the host.

use crate::errno::*;
pub use crate::filedata::Data;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

pub const S_IFMT: u32 = 0o170000;
pub const S_IFDIR: u32 = 0o040000;
pub const S_IFREG: u32 = 0o100000;
pub const S_IFCHR: u32 = 0o020000;
pub const S_IFLNK: u32 = 0o120000;

const ELOOP: i64 = 40;
const ENAMETOOLONG: i64 = 36;
const EBUSY: i64 = 16;
const EMLINK: i64 = 31;
/// Symbolic links followed in one lookup before ELOOP (Linux's MAXSYMLINKS).
const MAX_LINKS: u32 = 40;
/// Longest name of a directory entry.
pub const NAME_MAX: usize = 255;
/// tmpfs counts this many bytes of directory size per entry (and two for `.` and `..`).
const DIRENT_SIZE: u64 = 20;

pub const RENAME_NOREPLACE: u64 = 1;
pub const RENAME_EXCHANGE: u64 = 2;

pub type Ino = u64;
pub const ROOT: Ino = 1;

/// A point in time: seconds and nanoseconds since the epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Time {
    pub sec: i64,
    pub nsec: i64,
}

pub struct Node {
    /// Type and permission bits (`S_IFREG | 0644`).
    pub mode: u32,
    /// A file's bytes, or a symbolic link's target.
    pub data: Data,
    pub inode: Ino,
    /// Names (directories: 2 + subdirectories; 0 once removed).
    pub nlink: u32,
    pub atime: Time,
    pub mtime: Time,
    pub ctime: Time,
    /// The device number of a character device (`makedev(major, minor)`); 0 otherwise.
    pub rdev: u64,
    /// A directory's entries: name → inode.
    pub entries: BTreeMap<String, Ino>,
    /// A directory's parent (the root's is itself).
    pub parent: Ino,
    /// An unnamed file that may get a name (`O_TMPFILE` without `O_EXCL`).
    pub linkable: bool,
}

impl Node {
    pub fn kind(&self) -> u32 {
        self.mode & S_IFMT
    }

    pub fn is_dir(&self) -> bool {
        self.kind() == S_IFDIR
    }

    pub fn is_symlink(&self) -> bool {
        self.kind() == S_IFLNK
    }

    /// `st_size`: bytes of a file, the target's length for a link, tmpfs's size of a
    /// directory.
    pub fn size(&self) -> u64 {
        if self.is_dir() {
            (self.entries.len() as u64 + 2) * DIRENT_SIZE
        } else {
            self.data.len() as u64
        }
    }

    /// `st_blocks` (512-byte units): pages in use, as tmpfs counts them (a link target under
    /// 128 bytes lives in the inode).
    pub fn blocks(&self) -> u64 {
        match self.kind() {
            S_IFREG => self.data.pages() * 8,
            S_IFLNK if self.data.len() >= 128 => 8,
            _ => 0,
        }
    }

    /// Sets modification and change times (content changed).
    pub fn modified(&mut self, now: Time) {
        self.mtime = now;
        self.ctime = now;
    }
}

/// What a lookup found: an inode, or the directory and name where the missing last component
/// would go (for `O_CREAT`, also through a dangling symbolic link).
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    Found(Ino),
    Missing {
        dir: Ino,
        name: String,
        trailing_slash: bool,
    },
}

pub struct Fs {
    nodes: BTreeMap<Ino, Node>,
    next_inode: Ino,
}

impl Default for Fs {
    fn default() -> Self {
        Self::new()
    }
}

/// Joins `path` to `cwd` (when relative) and resolves `.`, `..` and repeated slashes
/// lexically (for names that are no files, such as `/dev/fd/N`).
pub fn normalize(cwd: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let joined: Vec<&str> = if path.starts_with('/') {
        path.split('/').collect()
    } else {
        cwd.split('/').chain(path.split('/')).collect()
    };
    for part in joined {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = String::new();
    for p in parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// Splits `path` into the part before its last component and that component ("" for "/"),
/// and whether it ended with a slash.
fn split_last(path: &str) -> (&str, &str, bool) {
    let trimmed = path.trim_end_matches('/');
    let trailing = trimmed.len() != path.len();
    if trimmed.is_empty() {
        return ("/", "", trailing);
    }
    match trimmed.rfind('/') {
        Some(i) => (&trimmed[..=i], &trimmed[i + 1..], trailing),
        None => ("", trimmed, trailing),
    }
}

impl Fs {
    /// An empty filesystem with the root directory.
    pub fn new() -> Fs {
        let mut fs = Fs {
            nodes: BTreeMap::new(),
            next_inode: ROOT,
        };
        fs.new_node(S_IFDIR | 0o755, Data::default(), Time::default(), ROOT);
        fs
    }

    fn new_node(&mut self, mode: u32, data: Data, now: Time, parent: Ino) -> Ino {
        let inode = self.next_inode;
        self.next_inode += 1;
        let dir = mode & S_IFMT == S_IFDIR;
        self.nodes.insert(
            inode,
            Node {
                mode,
                data,
                inode,
                nlink: if dir { 2 } else { 1 },
                atime: now,
                mtime: now,
                ctime: now,
                rdev: 0,
                entries: BTreeMap::new(),
                parent,
                linkable: false,
            },
        );
        inode
    }

    pub fn node(&self, ino: Ino) -> Option<&Node> {
        self.nodes.get(&ino)
    }

    pub fn node_mut(&mut self, ino: Ino) -> Option<&mut Node> {
        self.nodes.get_mut(&ino)
    }

    /// The directory `ino` (ENOENT if gone, ENOTDIR if no directory).
    fn dir(&self, ino: Ino) -> Result<&Node, i64> {
        match self.nodes.get(&ino) {
            None => Err(ENOENT),
            Some(n) if !n.is_dir() => Err(ENOTDIR),
            Some(n) => Ok(n),
        }
    }

    /// The entry `name` of directory `dir` (`.` and `..` included).
    fn child(&self, dir: Ino, name: &str) -> Result<Option<Ino>, i64> {
        let node = self.dir(dir)?;
        if name.len() > NAME_MAX {
            return Err(ENAMETOOLONG);
        }
        Ok(match name {
            "" | "." => Some(dir),
            ".." => Some(node.parent),
            _ => node.entries.get(name).copied(),
        })
    }

    /// The target of symbolic link `ino`.
    pub fn link_target(&mut self, ino: Ino) -> Option<String> {
        let node = self.nodes.get_mut(&ino).filter(|n| n.is_symlink())?;
        String::from_utf8(node.data.to_vec()).ok()
    }

    /// Resolves `path` from directory `start`, following symbolic links (the last one too
    /// when `follow`, or when the path ends with a slash).
    pub fn lookup(&mut self, start: Ino, path: &str, follow: bool) -> Result<Lookup, i64> {
        let mut links = 0;
        self.walk(start, path, follow, &mut links)
    }

    /// [`Fs::lookup`] for something that must exist.
    pub fn resolve(&mut self, start: Ino, path: &str, follow: bool) -> Result<Ino, i64> {
        match self.lookup(start, path, follow)? {
            Lookup::Found(ino) => Ok(ino),
            Lookup::Missing { .. } => Err(ENOENT),
        }
    }

    fn walk(
        &mut self,
        start: Ino,
        path: &str,
        follow: bool,
        links: &mut u32,
    ) -> Result<Lookup, i64> {
        if path.is_empty() {
            return Err(ENOENT);
        }
        let trailing_slash = path.ends_with('/');
        let mut current = if path.starts_with('/') { ROOT } else { start };
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let Some(child) = self.child(current, part)? else {
                if last {
                    return Ok(Lookup::Missing {
                        dir: current,
                        name: String::from(*part),
                        trailing_slash,
                    });
                }
                return Err(ENOENT);
            };
            let is_link = self.nodes.get(&child).is_some_and(Node::is_symlink);
            if is_link && (!last || follow || trailing_slash) {
                *links += 1;
                if *links > MAX_LINKS {
                    return Err(ELOOP);
                }
                let target = self.link_target(child).ok_or(ENOENT)?;
                match self.walk(current, &target, true, links)? {
                    Lookup::Found(ino) => current = ino,
                    missing if last && !trailing_slash => return Ok(missing),
                    _ => return Err(ENOENT),
                }
            } else {
                current = child;
            }
        }
        if trailing_slash && !self.nodes.get(&current).is_some_and(Node::is_dir) {
            return Err(ENOTDIR);
        }
        Ok(Lookup::Found(current))
    }

    /// The directory that holds `path`'s last component, and that component ("" for `/`),
    /// without following a link there (for unlink, rename, link and the making calls).
    pub fn parent_of(&mut self, start: Ino, path: &str) -> Result<(Ino, String, bool), i64> {
        if path.is_empty() {
            return Err(ENOENT);
        }
        let (before, last, trailing) = split_last(path);
        let dir = if before.is_empty() {
            start
        } else {
            self.resolve(start, before, true)?
        };
        self.dir(dir)?;
        if last.len() > NAME_MAX {
            return Err(ENAMETOOLONG);
        }
        Ok((dir, String::from(last), trailing))
    }

    /// The entry `name` of `dir`, if any.
    pub fn entry(&self, dir: Ino, name: &str) -> Result<Option<Ino>, i64> {
        self.child(dir, name)
    }

    /// Makes a node named `name` in `dir` (a file, directory, link or device by `mode`).
    pub fn create(
        &mut self,
        dir: Ino,
        name: &str,
        mode: u32,
        data: Data,
        now: Time,
    ) -> Result<Ino, i64> {
        if self.child(dir, name)?.is_some() {
            return Err(EEXIST);
        }
        let ino = self.new_node(mode, data, now, dir);
        let is_dir = mode & S_IFMT == S_IFDIR;
        let parent = self.nodes.get_mut(&dir).ok_or(ENOENT)?;
        if parent.nlink == 0 {
            // A removed directory takes no new entries.
            self.nodes.remove(&ino);
            return Err(ENOENT);
        }
        parent.entries.insert(String::from(name), ino);
        parent.modified(now);
        if is_dir {
            parent.nlink += 1;
        }
        Ok(ino)
    }

    /// Makes an inode with no name (`memfd_create`, `O_TMPFILE`): it lives while it is used,
    /// and [`Fs::link`] may name it if `linkable`.
    pub fn create_anonymous(&mut self, mode: u32, now: Time, linkable: bool) -> Ino {
        let ino = self.new_node(mode, Data::default(), now, ROOT);
        if let Some(node) = self.nodes.get_mut(&ino) {
            node.nlink = 0;
            node.linkable = linkable;
        }
        ino
    }

    /// Gives inode `ino` one more name, `name` in `dir` (EPERM for a directory).
    pub fn link(&mut self, ino: Ino, dir: Ino, name: &str, now: Time) -> Result<(), i64> {
        if self.child(dir, name)?.is_some() {
            return Err(EEXIST);
        }
        if self.nodes.get(&dir).is_none_or(|d| d.nlink == 0) {
            // A removed directory takes no new entries.
            return Err(ENOENT);
        }
        let node = self.nodes.get_mut(&ino).ok_or(ENOENT)?;
        if node.is_dir() {
            return Err(EPERM);
        }
        if node.nlink == 0 && !node.linkable {
            // Linux: an unlinked file gets no new name (except an O_TMPFILE one).
            return Err(ENOENT);
        }
        node.linkable = false;
        if node.nlink == u32::MAX {
            return Err(EMLINK);
        }
        node.nlink += 1;
        node.ctime = now;
        let parent = self.nodes.get_mut(&dir).ok_or(ENOENT)?;
        parent.entries.insert(String::from(name), ino);
        parent.modified(now);
        Ok(())
    }

    /// Removes the name `name` from `dir`: a non-directory (`unlink`) or an empty directory
    /// (`rmdir`). Returns the inode, which the caller [`Fs::release`]s when unused.
    pub fn unlink(&mut self, dir: Ino, name: &str, directory: bool, now: Time) -> Result<Ino, i64> {
        let ino = self.child(dir, name)?.ok_or(ENOENT)?;
        let node = &self.nodes[&ino];
        match (node.is_dir(), directory) {
            (true, false) => return Err(EISDIR),
            (false, true) => return Err(ENOTDIR),
            (true, true) if name.is_empty() => return Err(EBUSY),
            (true, true) if name == "." => return Err(EINVAL),
            (true, true) if name == ".." => return Err(ENOTEMPTY),
            (true, true) if ino == ROOT => return Err(EBUSY),
            (true, true) if !node.entries.is_empty() => return Err(ENOTEMPTY),
            _ => {}
        }
        self.detach(dir, name, now);
        Ok(ino)
    }

    /// Takes entry `name` out of `dir` and counts the name less.
    fn detach(&mut self, dir: Ino, name: &str, now: Time) {
        let Some(parent) = self.nodes.get_mut(&dir) else {
            return;
        };
        let Some(ino) = parent.entries.remove(name) else {
            return;
        };
        parent.modified(now);
        let Some(node) = self.nodes.get_mut(&ino) else {
            return;
        };
        node.ctime = now;
        if node.is_dir() {
            node.nlink = 0;
            if let Some(parent) = self.nodes.get_mut(&dir) {
                parent.nlink -= 1;
            }
        } else {
            node.nlink -= 1;
        }
    }

    /// Puts inode `ino` in `dir` as `name` (the entry must be free).
    fn attach(&mut self, dir: Ino, name: &str, ino: Ino, now: Time) {
        let is_dir = self.nodes.get(&ino).is_some_and(Node::is_dir);
        if let Some(node) = self.nodes.get_mut(&ino) {
            node.ctime = now;
            if is_dir {
                node.parent = dir;
            } else {
                node.nlink += 1;
            }
        }
        if is_dir {
            let subdirs = self.subdirectories(ino);
            if let Some(node) = self.nodes.get_mut(&ino) {
                node.nlink = 2 + subdirs;
            }
        }
        if let Some(parent) = self.nodes.get_mut(&dir) {
            parent.entries.insert(String::from(name), ino);
            parent.modified(now);
            if is_dir {
                parent.nlink += 1;
            }
        }
    }

    fn subdirectories(&self, ino: Ino) -> u32 {
        self.nodes.get(&ino).map_or(0, |n| {
            n.entries
                .values()
                .filter(|c| self.nodes.get(c).is_some_and(Node::is_dir))
                .count() as u32
        })
    }

    /// Whether directory `ancestor` is `ino` or above it.
    fn is_ancestor(&self, ancestor: Ino, mut ino: Ino) -> bool {
        loop {
            if ino == ancestor {
                return true;
            }
            match self.nodes.get(&ino) {
                Some(n) if n.is_dir() && n.parent != ino => ino = n.parent,
                _ => return false,
            }
        }
    }

    /// Drops inode `ino` if no name is left (the caller knows no descriptor or mapping uses
    /// it); a removed directory's entries were gone already.
    pub fn release(&mut self, ino: Ino) {
        if ino != ROOT && self.nodes.get(&ino).is_some_and(|n| n.nlink == 0) {
            self.nodes.remove(&ino);
        }
    }

    /// `renameat2(from_dir, from, to_dir, to, flags)` with `RENAME_NOREPLACE` and
    /// `RENAME_EXCHANGE`. Returns the inode that lost its name by being replaced, if any.
    pub fn rename(
        &mut self,
        (from_dir, from): (Ino, &str),
        (to_dir, to): (Ino, &str),
        flags: u64,
        now: Time,
    ) -> Result<Option<Ino>, i64> {
        if flags & !(RENAME_NOREPLACE | RENAME_EXCHANGE) != 0
            || flags == RENAME_NOREPLACE | RENAME_EXCHANGE
        {
            return Err(EINVAL);
        }
        let source = self.child(from_dir, from)?;
        let target = self.child(to_dir, to)?;
        if matches!(from, "" | "." | "..") || matches!(to, "" | "." | "..") {
            return Err(EBUSY);
        }
        let source = source.ok_or(ENOENT)?;
        let source_dir = self.nodes[&source].is_dir();
        if flags & RENAME_EXCHANGE != 0 {
            let target = target.ok_or(ENOENT)?;
            if source == target {
                return Ok(None);
            }
            let target_dir = self.nodes[&target].is_dir();
            if (source_dir && self.is_ancestor(source, to_dir))
                || (target_dir && self.is_ancestor(target, from_dir))
            {
                return Err(EINVAL);
            }
            self.detach(from_dir, from, now);
            self.detach(to_dir, to, now);
            self.attach(to_dir, to, source, now);
            self.attach(from_dir, from, target, now);
            return Ok(None);
        }
        if let Some(target) = target {
            if flags & RENAME_NOREPLACE != 0 {
                return Err(EEXIST);
            }
            if source == target {
                return Ok(None);
            }
        }
        if source_dir && self.is_ancestor(source, to_dir) {
            return Err(EINVAL);
        }
        if let Some(target) = target {
            let node = &self.nodes[&target];
            match (source_dir, node.is_dir()) {
                (false, true) => return Err(EISDIR),
                (true, false) => return Err(ENOTDIR),
                (true, true) if !node.entries.is_empty() => return Err(ENOTEMPTY),
                _ => {}
            }
            self.detach(to_dir, to, now);
        }
        self.detach(from_dir, from, now);
        self.attach(to_dir, to, source, now);
        Ok(target)
    }

    /// Names, inodes and modes of the entries of directory `dir`, sorted by name.
    pub fn list(&self, dir: Ino) -> Vec<(String, Ino, u32)> {
        self.nodes.get(&dir).map_or(Vec::new(), |d| {
            d.entries
                .iter()
                .filter_map(|(name, ino)| Some((name.clone(), *ino, self.nodes.get(ino)?.mode)))
                .collect()
        })
    }

    /// The absolute path of directory `ino` (`getcwd`); None once it was removed.
    pub fn path_of(&self, mut ino: Ino) -> Option<String> {
        let mut parts: Vec<&str> = Vec::new();
        while ino != ROOT {
            let node = self.nodes.get(&ino).filter(|n| n.nlink > 0)?;
            let parent = self.nodes.get(&node.parent)?;
            let name = parent.entries.iter().find(|(_, c)| **c == ino)?.0;
            parts.push(name);
            ino = node.parent;
        }
        let mut out = String::new();
        for part in parts.iter().rev() {
            out.push('/');
            out.push_str(part);
        }
        if out.is_empty() {
            out.push('/');
        }
        Some(out)
    }

    // Absolute-path conveniences for filling the filesystem (initrd, /etc, /dev).

    /// The inode at absolute `path` (links followed).
    pub fn get(&mut self, path: &str) -> Option<&mut Node> {
        let ino = self.resolve(ROOT, path, true).ok()?;
        self.nodes.get_mut(&ino)
    }

    /// Makes a node at absolute `path`; `EEXIST` if the path exists.
    pub fn create_path(
        &mut self,
        path: &str,
        mode: u32,
        data: Data,
        now: Time,
    ) -> Result<Ino, i64> {
        let (dir, name, _) = self.parent_of(ROOT, path)?;
        self.create(dir, &name, mode, data, now)
    }

    /// Makes a character device node at `path` with device number `rdev`.
    pub fn create_device(&mut self, path: &str, rdev: u64, now: Time) -> Result<(), i64> {
        let ino = self.create_path(path, S_IFCHR | 0o666, Data::default(), now)?;
        if let Some(node) = self.nodes.get_mut(&ino) {
            node.rdev = rdev;
        }
        Ok(())
    }

    /// Makes every missing directory on the way to `path` (for unpacking archives).
    pub fn create_parents(&mut self, path: &str, now: Time) {
        let (before, _, _) = split_last(path);
        let mut prefix = String::new();
        for part in before.split('/').filter(|p| !p.is_empty()) {
            prefix.push('/');
            prefix.push_str(part);
            if self.resolve(ROOT, &prefix, true).is_err() {
                let _ = self.create_path(&prefix.clone(), S_IFDIR | 0o755, Data::default(), now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Time = Time { sec: 0, nsec: 0 };

    fn file(fs: &mut Fs, path: &str, bytes: &[u8]) -> Ino {
        fs.create_path(path, S_IFREG | 0o644, Data::from_bytes(bytes).unwrap(), T)
            .unwrap()
    }

    fn symlink(fs: &mut Fs, path: &str, target: &str) {
        let data = Data::from_bytes(target.as_bytes()).unwrap();
        fs.create_path(path, S_IFLNK | 0o777, data, T).unwrap();
    }

    fn names(fs: &Fs, dir: Ino) -> Vec<String> {
        fs.list(dir).into_iter().map(|e| e.0).collect()
    }

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize("/", "a/b/../c"), "/a/c");
        assert_eq!(normalize("/x/y", "../z"), "/x/z");
        assert_eq!(normalize("/x", "/.."), "/");
        assert_eq!(normalize("/", "//a///b/."), "/a/b");
        assert_eq!(split_last("/a/b/"), ("/a/", "b", true));
        assert_eq!(split_last("b"), ("", "b", false));
        assert_eq!(split_last("/"), ("/", "", true));
    }

    #[test]
    fn creates_lists_removes_and_renames() {
        let mut fs = Fs::new();
        let d = |fs: &mut Fs, p: &str| fs.create_path(p, S_IFDIR | 0o755, Data::default(), T);
        assert_eq!(d(&mut fs, "/a/b"), Err(ENOENT));
        let a = d(&mut fs, "/a").unwrap();
        file(&mut fs, "/a/b", b"hi");
        let c = d(&mut fs, "/a/c").unwrap();
        file(&mut fs, "/a/c/d", b"");
        file(&mut fs, "/ab", b"");
        assert_eq!(fs.node(a).unwrap().nlink, 3);
        assert_eq!(d(&mut fs, "/a/b"), Err(EEXIST));
        assert_eq!(d(&mut fs, "/a/b/x"), Err(ENOTDIR));
        assert_eq!(names(&fs, a), ["b", "c"]);
        assert_eq!(names(&fs, ROOT), ["a", "ab"]);
        assert_eq!(fs.unlink(a, "c", true, T), Err(ENOTEMPTY));
        assert_eq!(fs.unlink(a, "c", false, T), Err(EISDIR));
        assert_eq!(fs.unlink(a, "b", true, T), Err(ENOTDIR));
        let (root, name, _) = fs.parent_of(ROOT, "/").unwrap();
        assert_eq!(fs.unlink(root, &name, true, T), Err(EBUSY));
        assert_eq!(fs.unlink(a, ".", true, T), Err(EINVAL));
        assert_eq!(fs.unlink(root, &name, false, T), Err(EISDIR));
        fs.rename((a, "c"), (ROOT, "z"), 0, T).unwrap();
        assert_eq!(fs.node(a).unwrap().nlink, 2);
        assert!(fs.get("/z/d").is_some() && fs.get("/a/c/d").is_none());
        assert_eq!(fs.path_of(c).unwrap(), "/z");
        assert_eq!(fs.rename((ROOT, "z"), (c, "q"), 0, T), Err(EINVAL));
        assert_eq!(fs.rename((ROOT, "ab"), (ROOT, "z"), 0, T), Err(EISDIR));
        assert_eq!(fs.rename((ROOT, "z"), (ROOT, "ab"), 0, T), Err(ENOTDIR));
        assert_eq!(fs.rename((ROOT, "a"), (ROOT, "z"), 0, T), Err(ENOTEMPTY));
        assert_eq!(
            fs.rename((ROOT, "ab"), (a, "b"), RENAME_NOREPLACE, T),
            Err(EEXIST)
        );
        assert_eq!(fs.rename((ROOT, "ab"), (a, "b"), 4, T), Err(EINVAL));
        fs.rename((ROOT, "z"), (ROOT, "ab"), RENAME_EXCHANGE, T)
            .unwrap();
        assert!(fs.get("/ab/d").is_some() && fs.get("/z").unwrap().kind() == S_IFREG);
        let gone = fs.unlink(c, "d", false, T).unwrap();
        fs.release(gone);
        assert!(fs.node(gone).is_none());
        fs.create_parents("/p/q/r", T);
        assert!(fs.get("/p/q").unwrap().is_dir());
    }

    #[test]
    fn hard_links_share_an_inode() {
        let mut fs = Fs::new();
        let ino = file(&mut fs, "/f", b"data");
        fs.link(ino, ROOT, "g", T).unwrap();
        assert_eq!(fs.node(ino).unwrap().nlink, 2);
        assert_eq!(fs.resolve(ROOT, "/g", true), Ok(ino));
        assert_eq!(fs.link(ino, ROOT, "g", T), Err(EEXIST));
        assert_eq!(fs.link(ROOT, ROOT, "r", T), Err(EPERM));
        // Renaming one name onto another of the same inode does nothing.
        assert_eq!(fs.rename((ROOT, "f"), (ROOT, "g"), 0, T), Ok(None));
        assert_eq!(fs.node(ino).unwrap().nlink, 2);
        fs.unlink(ROOT, "f", false, T).unwrap();
        fs.release(ino);
        assert_eq!(fs.get("/g").unwrap().data.to_vec(), b"data");
        fs.unlink(ROOT, "g", false, T).unwrap();
        assert_eq!(fs.node(ino).unwrap().nlink, 0);
        fs.release(ino);
        assert!(fs.node(ino).is_none());
    }

    #[test]
    fn follows_symbolic_links() {
        let mut fs = Fs::new();
        fs.create_parents("/a/b/x", T);
        let f = file(&mut fs, "/a/b/f", b"");
        symlink(&mut fs, "/l", "a/b");
        symlink(&mut fs, "/a/up", "../a/b/f");
        symlink(&mut fs, "/dangling", "/nowhere/x");
        symlink(&mut fs, "/loop", "/loop");
        symlink(&mut fs, "/new", "made");
        let b = fs.resolve(ROOT, "/a/b", true).unwrap();
        assert_eq!(fs.resolve(ROOT, "/l/f", true), Ok(f));
        // `..` after a link is taken from where the link led.
        assert_eq!(
            fs.resolve(ROOT, "/l/..", true),
            fs.resolve(ROOT, "/a", true)
        );
        assert_eq!(fs.resolve(ROOT, "/a/up", true), Ok(f));
        assert_eq!(fs.resolve(b, "../up", true), Ok(f));
        let l = fs.resolve(ROOT, "/l", false).unwrap();
        assert!(fs.node(l).unwrap().is_symlink());
        assert_eq!(fs.resolve(ROOT, "/l/", false), Ok(b));
        assert_eq!(fs.resolve(ROOT, "/loop", true), Err(ELOOP));
        assert_eq!(fs.resolve(ROOT, "/dangling", true), Err(ENOENT));
        assert_eq!(fs.resolve(ROOT, "/a/b/f/x", true), Err(ENOTDIR));
        assert_eq!(fs.resolve(ROOT, "/a/b/f/", true), Err(ENOTDIR));
        let long = "n".repeat(256);
        assert_eq!(fs.resolve(ROOT, &long, true), Err(ENAMETOOLONG));
        assert_eq!(
            fs.lookup(ROOT, "/new", true),
            Ok(Lookup::Missing {
                dir: ROOT,
                name: String::from("made"),
                trailing_slash: false
            })
        );
        // 40 links in a chain resolve; 41 do not.
        for i in 0..41 {
            symlink(
                &mut fs,
                &alloc::format!("/c{i}"),
                &alloc::format!("c{}", i + 1),
            );
        }
        file(&mut fs, "/c41", b"");
        assert!(fs.resolve(ROOT, "/c1", true).is_ok());
        assert_eq!(fs.resolve(ROOT, "/c0", true), Err(ELOOP));
    }
}

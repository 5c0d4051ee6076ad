//! The RAM filesystem: a map from absolute, normalized paths to nodes (regular files holding
//! their bytes, directories). Pure data structure with errno results, tested on the host.

use crate::errno::*;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

pub const S_IFMT: u32 = 0o170000;
pub const S_IFDIR: u32 = 0o040000;
pub const S_IFREG: u32 = 0o100000;
pub const S_IFCHR: u32 = 0o020000;

#[derive(Debug, Clone)]
pub struct Node {
    /// Type and permission bits (`S_IFREG | 0644`).
    pub mode: u32,
    pub data: Vec<u8>,
    pub inode: u64,
    /// Modification time in seconds since the epoch.
    pub mtime: i64,
    /// The device number of a character device (`makedev(major, minor)`); 0 otherwise.
    pub rdev: u64,
}

impl Node {
    pub fn is_dir(&self) -> bool {
        self.mode & S_IFMT == S_IFDIR
    }
}

pub struct Fs {
    nodes: BTreeMap<String, Node>,
    next_inode: u64,
}

impl Default for Fs {
    fn default() -> Self {
        Self::new()
    }
}

/// Joins `path` to `cwd` (when relative) and resolves `.`, `..` and repeated slashes.
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

/// The parent directory of a normalized path ("/" for "/").
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The last component of a normalized path.
pub fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

impl Fs {
    /// An empty filesystem with the root directory.
    pub fn new() -> Fs {
        let mut fs = Fs {
            nodes: BTreeMap::new(),
            next_inode: 2,
        };
        fs.nodes.insert(
            String::from("/"),
            Node {
                mode: S_IFDIR | 0o755,
                data: Vec::new(),
                inode: 1,
                mtime: 0,
                rdev: 0,
            },
        );
        fs
    }

    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    pub fn get_mut(&mut self, path: &str) -> Option<&mut Node> {
        self.nodes.get_mut(path)
    }

    fn check_parent(&self, path: &str) -> Result<(), i64> {
        match self.nodes.get(parent(path)) {
            None => Err(ENOENT),
            Some(p) if !p.is_dir() => Err(ENOTDIR),
            Some(_) => Ok(()),
        }
    }

    /// Creates a node (file or directory by `mode`); `EEXIST` if the path exists.
    pub fn create(&mut self, path: &str, mode: u32, data: Vec<u8>, mtime: i64) -> Result<(), i64> {
        if self.nodes.contains_key(path) {
            return Err(EEXIST);
        }
        self.check_parent(path)?;
        let inode = self.next_inode;
        self.next_inode += 1;
        self.nodes.insert(
            String::from(path),
            Node {
                mode,
                data,
                inode,
                mtime,
                rdev: 0,
            },
        );
        Ok(())
    }

    /// Creates a character device node with device number `rdev`.
    pub fn create_device(&mut self, path: &str, rdev: u64, mtime: i64) -> Result<(), i64> {
        self.create(path, S_IFCHR | 0o666, Vec::new(), mtime)?;
        if let Some(node) = self.nodes.get_mut(path) {
            node.rdev = rdev;
        }
        Ok(())
    }

    /// Creates every missing directory on the way to `path` (for unpacking archives).
    pub fn create_parents(&mut self, path: &str, mtime: i64) {
        let mut prefix = String::new();
        let parent_path = parent(path);
        for part in parent_path.split('/').filter(|p| !p.is_empty()) {
            prefix.push('/');
            prefix.push_str(part);
            if !self.nodes.contains_key(&prefix) {
                let _ = self.create(&prefix.clone(), S_IFDIR | 0o755, Vec::new(), mtime);
            }
        }
    }

    fn children<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a String, &'a Node)> + 'a {
        let prefix_len = if dir == "/" { 1 } else { dir.len() + 1 };
        let in_dir = move |k: &str| {
            k.len() > prefix_len
                && k.starts_with(dir)
                && (dir == "/" || k.as_bytes()[dir.len()] == b'/')
        };
        self.nodes
            .range::<str, _>((core::ops::Bound::Excluded(dir), core::ops::Bound::Unbounded))
            .skip_while(move |(k, _)| !in_dir(k) && k.starts_with(dir))
            .take_while(move |(k, _)| k.starts_with(dir))
            .filter(move |(k, _)| in_dir(k) && !k[prefix_len..].contains('/'))
    }

    /// Names, inodes and modes of the nodes directly inside directory `dir`, sorted by name.
    pub fn list(&self, dir: &str) -> Vec<(String, u64, u32)> {
        self.children(dir)
            .map(|(k, n)| (String::from(base_name(k)), n.inode, n.mode))
            .collect()
    }

    /// Removes a regular file (`unlink`) or an empty directory (`rmdir`).
    pub fn remove(&mut self, path: &str, directory: bool) -> Result<(), i64> {
        let node = self.nodes.get(path).ok_or(ENOENT)?;
        match (node.is_dir(), directory) {
            (true, false) => return Err(EISDIR),
            (false, true) => return Err(ENOTDIR),
            (true, true) if path == "/" => return Err(EPERM),
            (true, true) if self.children(path).next().is_some() => return Err(ENOTEMPTY),
            _ => {}
        }
        self.nodes.remove(path);
        Ok(())
    }

    /// Moves `from` (and everything below it) to `to`, replacing a file at `to`.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), i64> {
        let node = self.nodes.get(from).ok_or(ENOENT)?;
        let is_dir = node.is_dir();
        self.check_parent(to)?;
        if from == to {
            return Ok(());
        }
        if is_dir && to.starts_with(from) && to.as_bytes().get(from.len()) == Some(&b'/') {
            return Err(EINVAL);
        }
        if let Some(existing) = self.nodes.get(to) {
            match (existing.is_dir(), is_dir) {
                (true, false) => return Err(EISDIR),
                (false, true) => return Err(ENOTDIR),
                (true, true) if self.children(to).next().is_some() => return Err(ENOTEMPTY),
                _ => {}
            }
        }
        let moved: Vec<String> = self
            .nodes
            .keys()
            .filter(|k| {
                *k == from || (k.starts_with(from) && k.as_bytes().get(from.len()) == Some(&b'/'))
            })
            .cloned()
            .collect();
        self.nodes.remove(to);
        for old in moved {
            if let Some(node) = self.nodes.remove(&old) {
                let mut new = String::from(to);
                new.push_str(&old[from.len()..]);
                self.nodes.insert(new, node);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize("/", "a/b/../c"), "/a/c");
        assert_eq!(normalize("/x/y", "../z"), "/x/z");
        assert_eq!(normalize("/x", "/.."), "/");
        assert_eq!(normalize("/", "//a///b/."), "/a/b");
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(parent("/a"), "/");
        assert_eq!(base_name("/a/b"), "b");
    }

    #[test]
    fn creates_lists_removes_and_renames() {
        let mut fs = Fs::new();
        assert_eq!(fs.create("/a/b", S_IFREG, Vec::new(), 0), Err(ENOENT));
        fs.create("/a", S_IFDIR | 0o755, Vec::new(), 0).unwrap();
        fs.create("/a/b", S_IFREG | 0o644, b"hi".to_vec(), 0)
            .unwrap();
        fs.create("/a/c", S_IFDIR | 0o755, Vec::new(), 0).unwrap();
        fs.create("/a/c/d", S_IFREG | 0o644, Vec::new(), 0).unwrap();
        fs.create("/ab", S_IFREG | 0o644, Vec::new(), 0).unwrap();
        assert_eq!(fs.create("/a/b", S_IFREG, Vec::new(), 0), Err(EEXIST));
        assert_eq!(fs.create("/a/b/x", S_IFREG, Vec::new(), 0), Err(ENOTDIR));
        let names: Vec<String> = fs.list("/a").into_iter().map(|e| e.0).collect();
        assert_eq!(names, ["b", "c"]);
        let names: Vec<String> = fs.list("/").into_iter().map(|e| e.0).collect();
        assert_eq!(names, ["a", "ab"]);
        assert_eq!(fs.remove("/a/c", true), Err(ENOTEMPTY));
        assert_eq!(fs.remove("/a/c", false), Err(EISDIR));
        assert_eq!(fs.remove("/a/b", true), Err(ENOTDIR));
        fs.rename("/a/c", "/z").unwrap();
        assert!(fs.get("/z/d").is_some() && fs.get("/a/c/d").is_none());
        assert_eq!(fs.rename("/z", "/z/q"), Err(EINVAL));
        fs.remove("/z/d", false).unwrap();
        fs.remove("/z", true).unwrap();
        fs.create_parents("/p/q/r", 0);
        assert!(fs.get("/p/q").unwrap().is_dir());
    }
}

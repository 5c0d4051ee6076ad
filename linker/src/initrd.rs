//! `ukl run APP --initrd DIR`: packs a directory into a cpio archive in the "newc" format (the
//! format Linux's initramfs uses and `linux_syscall` unpacks into its RAM filesystem). Entries
//! are written in sorted order with their permission bits and modification times; owners are
//! root.
//!
//! Nothing below `DIR` is followed: the tree is walked with `lstat`, so a symbolic link is
//! stored as a symbolic link (mode `S_IFLNK`, its target as the entry's data, as `cpio -o`
//! does) whatever it points to — a file outside `DIR`, a directory above it, itself — and no
//! link can make the walk loop. A directory met twice on one path (a bind mount of an
//! ancestor) is an error. Fifos, sockets and device nodes are left out with a warning: they
//! have no contents to pack, the guest's RAM file system cannot hold them, and opening a fifo
//! would block. A regular file is opened with `O_NOFOLLOW|O_NONBLOCK` and must still be the
//! file that was listed. (`DIR` itself, named by the user, may be a link to a directory.)
//!
//! The archive is written privately (0600, created exclusively) into the run's own directory
//! ([`crate::run_dir`]) and removed with it when the run ends.

use crate::error::Result;
use crate::link_error;
use crate::run_dir::RunDir;
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

const TRAILER: &str = "TRAILER!!!";

/// The file type bits of a newc entry's mode.
const S_IFDIR: u32 = 0o040000;
const S_IFREG: u32 = 0o100000;
const S_IFLNK: u32 = 0o120000;

/// A packed archive and what was left out of it.
#[derive(Debug, Default)]
pub struct Packed {
    pub archive: Vec<u8>,
    /// Symbolic links stored: (name in the archive, target).
    pub links: Vec<(String, String)>,
    /// Entries left out: (path, what it is).
    pub skipped: Vec<(PathBuf, &'static str)>,
}

fn push_entry(out: &mut Vec<u8>, inode: u32, name: &[u8], mode: u32, mtime: u32, data: &[u8]) {
    let fields = [
        inode,
        mode,
        0, // uid
        0, // gid
        1, // nlink
        mtime,
        data.len() as u32,
        0, // devmajor
        0, // devminor
        0, // rdevmajor
        0, // rdevminor
        name.len() as u32 + 1,
        0, // check
    ];
    out.extend_from_slice(b"070701");
    for field in fields {
        out.extend_from_slice(format!("{field:08x}").as_bytes());
    }
    out.extend_from_slice(name);
    out.push(0);
    pad4(out);
    out.extend_from_slice(data);
    pad4(out);
}

fn pad4(out: &mut Vec<u8>) {
    while out.len() % 4 != 0 {
        out.push(0);
    }
}

/// What a special file is, for the warning that leaves it out.
fn special_kind(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_fifo() {
        "a fifo"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_char_device() {
        "a character device"
    } else {
        "neither a file, a directory nor a symbolic link"
    }
}

/// The walk over `root`: entries are added to `packed` as they are met, directories before
/// what they hold.
struct Walk<'a> {
    root: &'a Path,
    packed: Packed,
    inode: u32,
    /// (device, inode) of the directories on the current path, to refuse a loop.
    ancestors: Vec<(u64, u64)>,
}

impl Walk<'_> {
    fn directory(&mut self, relative: &Path, metadata: &std::fs::Metadata) -> Result<()> {
        let dir = self.root.join(relative);
        let identity = (metadata.dev(), metadata.ino());
        if self.ancestors.contains(&identity) {
            return Err(link_error!(
                "initrd directory `{}` contains itself (a bind mount?)",
                dir.display()
            )
            .help("pack a directory tree without loops"));
        }
        self.ancestors.push(identity);
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| link_error!("cannot read initrd directory `{}`: {e}", dir.display()))?
            .map(|entry| entry.map(|e| e.file_name()))
            .collect::<std::io::Result<_>>()
            .map_err(|e| link_error!("cannot read initrd directory `{}`: {e}", dir.display()))?;
        names.sort();
        for name in names {
            self.entry(&relative.join(name))?;
        }
        self.ancestors.pop();
        Ok(())
    }

    fn entry(&mut self, relative: &Path) -> Result<()> {
        use std::os::unix::ffi::OsStrExt;
        let path = self.root.join(relative);
        // A large tree is not packed to the end for a run that was interrupted.
        if let Some(signal) = crate::interrupt::received() {
            return Err(link_error!(
                "packing `{}` stopped: {}",
                self.root.display(),
                crate::interrupt::name(signal)
            ));
        }
        let metadata = std::fs::symlink_metadata(&path)
            .map_err(|e| link_error!("cannot read `{}`: {e}", path.display()))?;
        let name = relative.as_os_str().as_bytes();
        let mtime = u32::try_from(metadata.mtime().max(0)).unwrap_or(u32::MAX);
        let permissions = metadata.mode() & 0o7777;
        let file_type = metadata.file_type();
        self.inode = self
            .inode
            .checked_add(1)
            .ok_or_else(|| link_error!("too many files for one initrd"))?;
        let inode = self.inode;
        if file_type.is_dir() {
            push_entry(
                &mut self.packed.archive,
                inode,
                name,
                S_IFDIR | permissions,
                mtime,
                &[],
            );
            self.directory(relative, &metadata)
        } else if file_type.is_symlink() {
            let target = std::fs::read_link(&path)
                .map_err(|e| link_error!("cannot read link `{}`: {e}", path.display()))?;
            let bytes = target.as_os_str().as_bytes();
            push_entry(
                &mut self.packed.archive,
                inode,
                name,
                S_IFLNK | permissions,
                mtime,
                bytes,
            );
            let target = String::from_utf8_lossy(bytes).into_owned();
            self.packed
                .links
                .push((String::from_utf8_lossy(name).into_owned(), target));
            Ok(())
        } else if file_type.is_file() {
            let data = read_listed_file(&path, &metadata)?;
            push_entry(
                &mut self.packed.archive,
                inode,
                name,
                S_IFREG | permissions,
                mtime,
                &data,
            );
            Ok(())
        } else {
            self.packed.skipped.push((path, special_kind(file_type)));
            Ok(())
        }
    }
}

/// Reads the regular file at `path` that `listed` describes: opened without following a link
/// and without blocking (were it replaced by a fifo), and checked to be that same file.
fn read_listed_file(path: &Path, listed: &std::fs::Metadata) -> Result<Vec<u8>> {
    use std::os::unix::fs::OpenOptionsExt;
    let error = |e: std::io::Error| link_error!("cannot read `{}`: {e}", path.display());
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(error)?;
    let opened = file.metadata().map_err(error)?;
    if !opened.is_file() || opened.dev() != listed.dev() || opened.ino() != listed.ino() {
        return Err(link_error!(
            "`{}` changed while the initrd was packed",
            path.display()
        ));
    }
    if opened.len() > u64::from(u32::MAX) {
        return Err(link_error!(
            "`{}` is {} bytes: a newc archive holds files of at most 4 GiB",
            path.display(),
            opened.len()
        ));
    }
    let mut data = Vec::with_capacity(opened.len() as usize);
    file.read_to_end(&mut data).map_err(error)?;
    if data.len() as u64 > u64::from(u32::MAX) {
        return Err(link_error!("`{}` grew past 4 GiB", path.display()));
    }
    Ok(data)
}

/// The newc archive of everything below `dir` (names relative to it, without a leading `/`).
pub fn pack(dir: &Path) -> Result<Packed> {
    let metadata = std::fs::metadata(dir)
        .map_err(|e| link_error!("cannot read initrd directory `{}`: {e}", dir.display()))?;
    let mut walk = Walk {
        root: dir,
        packed: Packed::default(),
        inode: 1,
        ancestors: Vec::new(),
    };
    walk.directory(Path::new(""), &metadata)?;
    let mut packed = walk.packed;
    push_entry(&mut packed.archive, 0, TRAILER.as_bytes(), 0, 0, &[]);
    Ok(packed)
}

/// An initrd for `ukl run`: a directory is packed into `initrd.cpio` in the run's directory
/// (warnings on stderr for what is left out); a file is used as it is.
pub fn prepare(source: &Path, run_dir: &RunDir) -> Result<PathBuf> {
    let metadata = std::fs::metadata(source).map_err(|e| {
        link_error!("cannot read initrd `{}`: {e}", source.display())
            .help("give a directory to pack or a cpio archive")
    })?;
    if !metadata.is_dir() {
        return Ok(source.to_path_buf());
    }
    let packed = pack(source)?;
    for (path, kind) in &packed.skipped {
        eprintln!(
            "ukl: warning: `{}` is {kind}: left out of the initrd (it holds files, directories and symbolic links)",
            path.display()
        );
    }
    if let Some((name, target)) = packed.links.first() {
        eprintln!(
            "ukl: warning: the initrd holds {} symbolic link(s), stored as links (`{name}` -> `{target}`{}); the guest's RAM file system (linux_syscall) has none and leaves them out",
            packed.links.len(),
            if packed.links.len() > 1 { ", ..." } else { "" }
        );
    }
    let (mut file, path) = run_dir.create_file("initrd.cpio")?;
    file.write_all(&packed.archive)
        .and_then(|_| file.flush())
        .map_err(|e| link_error!("cannot write `{}`: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entries of a newc archive: (name, mode, data).
    fn entries(archive: &[u8]) -> Vec<(String, u32, Vec<u8>)> {
        let mut out = Vec::new();
        let mut at = 0;
        let align = |n: usize| (n + 3) & !3;
        loop {
            let header = &archive[at..at + 110];
            assert_eq!(&header[..6], b"070701");
            let field = |i: usize| {
                u32::from_str_radix(
                    std::str::from_utf8(&header[6 + 8 * i..14 + 8 * i]).unwrap(),
                    16,
                )
                .unwrap()
            };
            let (mode, size, name_size) = (field(1), field(6) as usize, field(11) as usize);
            let name =
                String::from_utf8(archive[at + 110..at + 110 + name_size - 1].to_vec()).unwrap();
            let data_at = align(at + 110 + name_size);
            let data = archive[data_at..data_at + size].to_vec();
            at = align(data_at + size);
            if name == TRAILER {
                return out;
            }
            out.push((name, mode, data));
        }
    }

    fn scratch(name: &str) -> tempfile::TempDir {
        tempfile::Builder::new().prefix(name).tempdir().unwrap()
    }

    #[test]
    fn packs_sorted_entries_with_a_trailer() {
        let scratch = scratch("ukl-initrd-sorted");
        let dir = scratch.path();
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("b.txt"), "bee").unwrap();
        std::fs::write(dir.join("sub/a.lua"), "print(1)").unwrap();
        let archive = pack(dir).unwrap().archive;
        let names: Vec<_> = entries(&archive).into_iter().map(|e| e.0).collect();
        assert_eq!(names, ["b.txt", "sub", "sub/a.lua"]);
        let text = String::from_utf8_lossy(&archive);
        assert!(text.contains("bee") && text.contains("print(1)"));
        assert!(text.contains(TRAILER));
        assert_eq!(archive.len() % 4, 0);
    }

    #[test]
    fn symbolic_links_are_stored_as_links_and_never_followed() {
        let inside = scratch("ukl-initrd-links");
        let dir = inside.path();
        let outside = scratch("ukl-initrd-outside");
        std::fs::write(outside.path().join("secret"), "not packed").unwrap();
        std::fs::create_dir(dir.join("sub")).unwrap();
        std::fs::write(dir.join("file"), "data").unwrap();
        let link =
            |target: &Path, name: &str| std::os::unix::fs::symlink(target, dir.join(name)).unwrap();
        link(Path::new("loop"), "loop");
        link(Path::new(".."), "sub/up");
        link(Path::new("."), "self");
        link(&outside.path().join("secret"), "secret");
        link(Path::new("file"), "alias");
        let packed = pack(dir).unwrap();
        let entries = entries(&packed.archive);
        let find = |name: &str| {
            entries
                .iter()
                .find(|e| e.0 == name)
                .unwrap_or_else(|| panic!("{name} in {entries:?}"))
        };
        for (name, target) in [
            ("loop", "loop"),
            ("sub/up", ".."),
            ("self", "."),
            ("alias", "file"),
        ] {
            let (_, mode, data) = find(name);
            assert_eq!(mode & 0o170000, S_IFLNK, "{name}");
            assert_eq!(data, target.as_bytes(), "{name}");
        }
        let (_, mode, data) = find("secret");
        assert_eq!(mode & 0o170000, S_IFLNK);
        assert_eq!(
            data,
            outside.path().join("secret").as_os_str().as_encoded_bytes()
        );
        assert!(!String::from_utf8_lossy(&packed.archive).contains("not packed"));
        assert_eq!(find("file").2, b"data");
        assert_eq!(entries.len(), 7, "{entries:?}");
        assert_eq!(packed.links.len(), 5);
    }

    #[test]
    fn a_fifo_is_left_out_without_being_opened() {
        let scratch = scratch("ukl-initrd-fifo");
        let dir = scratch.path();
        let fifo = dir.join("fifo");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: mkfifo reads the NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        std::fs::write(dir.join("z"), "z").unwrap();
        let packed = pack(dir).unwrap();
        let names: Vec<_> = entries(&packed.archive).into_iter().map(|e| e.0).collect();
        assert_eq!(names, ["z"]);
        assert_eq!(packed.skipped, [(fifo, "a fifo")]);
    }

    #[test]
    fn the_archive_is_written_privately_into_the_run_directory() {
        use std::os::unix::fs::PermissionsExt;
        let scratch = scratch("ukl-initrd-private");
        std::fs::write(scratch.path().join("f"), "f").unwrap();
        let run_dir = RunDir::create().unwrap();
        let path = prepare(scratch.path(), &run_dir).unwrap();
        assert!(path.starts_with(run_dir.path()));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        assert_eq!(entries(&std::fs::read(&path).unwrap())[0].0, "f");
    }
}

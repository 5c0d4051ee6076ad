//! `ukl run APP --initrd DIR`: packs a directory into a cpio archive in the "newc" format (the
//! format Linux's initramfs uses and `linux_syscall` unpacks into its RAM filesystem). Entries
//! are written in sorted order with their permission bits and modification times; owners are
//! root. Regular files and directories only: symbolic links are followed, other kinds skipped.

use crate::error::Result;
use crate::link_error;
use std::path::{Path, PathBuf};

const TRAILER: &str = "TRAILER!!!";

fn push_entry(out: &mut Vec<u8>, inode: u32, name: &str, mode: u32, mtime: u32, data: &[u8]) {
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
    out.extend_from_slice(name.as_bytes());
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

fn walk(root: &Path, relative: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let dir = root.join(relative);
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| link_error!("cannot read initrd directory `{}`: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    names.sort();
    for name in names {
        let path = relative.join(&name);
        files.push(path.clone());
        if root.join(&path).is_dir() {
            walk(root, &path, files)?;
        }
    }
    Ok(())
}

/// The newc archive of everything below `dir` (names relative to it, without a leading `/`).
pub fn pack(dir: &Path) -> Result<Vec<u8>> {
    use std::os::unix::fs::PermissionsExt;
    let mut files = Vec::new();
    walk(dir, Path::new(""), &mut files)?;
    let mut out = Vec::new();
    let mut inode = 1u32;
    for relative in files {
        let path = dir.join(&relative);
        let metadata = std::fs::metadata(&path)
            .map_err(|e| link_error!("cannot read `{}`: {e}", path.display()))?;
        let name = relative.to_string_lossy().replace('\\', "/");
        let mtime = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs() as u32);
        let permissions = metadata.permissions().mode() & 0o7777;
        inode += 1;
        if metadata.is_dir() {
            push_entry(&mut out, inode, &name, 0o040000 | permissions, mtime, &[]);
        } else if metadata.is_file() {
            let data = std::fs::read(&path)
                .map_err(|e| link_error!("cannot read `{}`: {e}", path.display()))?;
            push_entry(&mut out, inode, &name, 0o100000 | permissions, mtime, &data);
        }
    }
    push_entry(&mut out, 0, TRAILER, 0, 0, &[]);
    Ok(out)
}

/// An initrd for `ukl run`: a directory is packed into a file next to `image`; a file is used
/// as it is.
pub fn prepare(source: &Path, image: &Path) -> Result<PathBuf> {
    if !source.is_dir() {
        return Ok(source.to_path_buf());
    }
    let archive = pack(source)?;
    let path = PathBuf::from(format!("{}.initrd.cpio", image.display()));
    std::fs::write(&path, archive)
        .map_err(|e| link_error!("cannot write `{}`: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_sorted_entries_with_a_trailer() {
        let dir = std::env::temp_dir().join(format!("ukl-initrd-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("b.txt"), "bee").unwrap();
        std::fs::write(dir.join("sub/a.lua"), "print(1)").unwrap();
        let archive = pack(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let text = String::from_utf8_lossy(&archive);
        let b = text.find("b.txt").unwrap();
        let sub = text.find("sub\0").unwrap();
        let a = text.find("sub/a.lua").unwrap();
        assert!(b < sub && sub < a, "sorted, directory before its files");
        assert!(text.contains("bee") && text.contains("print(1)"));
        assert!(archive.ends_with(&[0u8; 0]) && text.contains(TRAILER));
        assert_eq!(archive.len() % 4, 0);
        assert!(archive.starts_with(b"070701"));
    }
}

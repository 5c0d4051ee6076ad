//! The initrd: a cpio archive in the "newc" format (magic `070701`, as `ukl run --initrd DIR`
//! and `cpio -H newc` write it) unpacked into the RAM filesystem.
//!
//! Each entry is a 110-byte ASCII header of thirteen 8-digit hex fields (magic, ino, mode, uid,
//! gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check), the
//! NUL-terminated name padded to 4 bytes, then the data padded to 4 bytes. `TRAILER!!!` ends it.
//!
//! Regular files, directories, symbolic links (the data is the target) and character devices
//! are unpacked. Entries that share an inode number (and device) with `nlink > 1` become hard
//! links of one inode; as GNU cpio writes them, the data may come with any one of them (the
//! last, the others having size 0).

use crate::vfs::{normalize, Data, Fs, Ino, Time, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG};
use alloc::collections::BTreeMap;

const HEADER_LEN: usize = 110;
const MAGIC: &[u8] = b"070701";

/// Why an archive could not be read completely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpioError {
    BadMagic { offset: usize },
    Truncated { offset: usize },
}

fn hex_field(header: &[u8], index: usize) -> Option<u32> {
    let field = header.get(6 + index * 8..14 + index * 8)?;
    let mut value = 0u32;
    for &b in field {
        value = value * 16 + (b as char).to_digit(16)?;
    }
    Some(value)
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// Unpacks `archive` into `fs`; returns the number of entries added. Entries of other types
/// (FIFOs, sockets, block devices) are skipped.
pub fn unpack(archive: &[u8], fs: &mut Fs) -> Result<usize, CpioError> {
    let mut offset = 0;
    let mut added = 0;
    // Hard-linked entries seen so far: (device major, minor, inode number) → inode.
    let mut linked: BTreeMap<(u32, u32, u32), Ino> = BTreeMap::new();
    loop {
        let header = archive
            .get(offset..offset + HEADER_LEN)
            .ok_or(CpioError::Truncated { offset })?;
        if &header[..6] != MAGIC {
            return Err(CpioError::BadMagic { offset });
        }
        let field = |i| hex_field(header, i).ok_or(CpioError::BadMagic { offset });
        let number = field(0)?;
        let mode = field(1)?;
        let nlink = field(4)?;
        let mtime = field(5)?;
        let device = (field(7)?, field(8)?);
        let rdev = (u64::from(field(9)?) << 8) | u64::from(field(10)?);
        let size = field(6)? as usize;
        let name_len = field(11)? as usize;
        let name_start = offset + HEADER_LEN;
        let name = archive
            .get(name_start..name_start + name_len.saturating_sub(1))
            .ok_or(CpioError::Truncated { offset })?;
        let data_start = align4(name_start + name_len);
        let data = archive
            .get(data_start..data_start + size)
            .ok_or(CpioError::Truncated { offset })?;
        offset = align4(data_start + size);
        if name == b"TRAILER!!!" {
            return Ok(added);
        }
        let Ok(name) = core::str::from_utf8(name) else {
            continue;
        };
        let path = normalize("/", name);
        if path == "/" {
            continue;
        }
        let kind = mode & S_IFMT;
        if ![S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR].contains(&kind) {
            continue;
        }
        let now = Time {
            sec: i64::from(mtime),
            nsec: 0,
        };
        fs.create_parents(&path, now);
        if kind == S_IFDIR && fs.get(&path).is_some_and(|n| n.is_dir()) {
            continue;
        }
        let key = (device.0, device.1, number);
        if kind != S_IFDIR && nlink > 1 {
            if let Some(&ino) = linked.get(&key) {
                if let Ok((dir, name, _)) = fs.parent_of(crate::vfs::ROOT, &path) {
                    if fs.link(ino, dir, &name, now).is_ok() {
                        added += 1;
                    }
                }
                if let (Some(node), false) = (fs.node_mut(ino), data.is_empty()) {
                    let _ = node.data.write(0, data);
                }
                continue;
            }
        }
        let Ok(contents) = Data::from_bytes(data) else {
            continue;
        };
        if let Ok(ino) = fs.create_path(&path, mode, contents, now) {
            if kind == S_IFCHR {
                if let Some(node) = fs.node_mut(ino) {
                    node.rdev = rdev;
                }
            }
            if kind != S_IFDIR && nlink > 1 {
                linked.insert(key, ino);
            }
            added += 1;
        }
    }
}

/// Finds the start of a newc archive in the first `window` bytes of `memory` (a module region
/// may begin a little before the module itself when the platform rounds it to pages).
pub fn find(memory: &[u8], window: usize) -> Option<usize> {
    (0..window.min(memory.len().saturating_sub(MAGIC.len())))
        .step_by(4)
        .find(|&i| &memory[i..i + MAGIC.len()] == MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::vec::Vec;

    fn entry(out: &mut Vec<u8>, name: &str, mode: u32, data: &[u8]) {
        linked_entry(out, name, mode, data, (1, 1));
    }

    fn linked_entry(
        out: &mut Vec<u8>,
        name: &str,
        mode: u32,
        data: &[u8],
        (ino, nlink): (u32, u32),
    ) {
        let header = format!(
            "070701{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
            ino,
            mode,
            0,
            0,
            nlink,
            1_700_000_000u32,
            data.len(),
            0,
            0,
            0,
            0,
            name.len() + 1,
            0
        );
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        while !out.len().is_multiple_of(4) {
            out.push(0);
        }
        out.extend_from_slice(data);
        while !out.len().is_multiple_of(4) {
            out.push(0);
        }
    }

    #[test]
    fn unpacks_files_and_directories() {
        let mut archive = Vec::new();
        entry(&mut archive, ".", S_IFDIR | 0o755, b"");
        entry(&mut archive, "dir", S_IFDIR | 0o755, b"");
        entry(
            &mut archive,
            "dir/script.lua",
            S_IFREG | 0o644,
            b"print(1)\n",
        );
        entry(&mut archive, "deep/x/y.txt", S_IFREG | 0o600, b"abcde");
        entry(&mut archive, "dir/link", S_IFLNK | 0o777, b"../deep/x");
        linked_entry(&mut archive, "h1", S_IFREG | 0o644, b"", (7, 2));
        linked_entry(&mut archive, "h2", S_IFREG | 0o644, b"shared", (7, 2));
        entry(&mut archive, "TRAILER!!!", 0, b"");
        let mut fs = Fs::new();
        assert_eq!(unpack(&archive, &mut fs), Ok(6));
        assert_eq!(
            fs.get("/dir/script.lua").unwrap().data.to_vec(),
            b"print(1)\n"
        );
        assert_eq!(fs.get("/deep/x/y.txt").unwrap().data.to_vec(), b"abcde");
        assert_eq!(fs.get("/dir/link/y.txt").unwrap().data.to_vec(), b"abcde");
        assert!(fs.get("/deep/x").unwrap().is_dir());
        let h1 = fs.resolve(crate::vfs::ROOT, "/h1", true).unwrap();
        assert_eq!(fs.resolve(crate::vfs::ROOT, "/h2", true), Ok(h1));
        assert_eq!(fs.node(h1).unwrap().nlink, 2);
        assert_eq!(fs.get("/h1").unwrap().data.to_vec(), b"shared");
        let mut shifted = alloc::vec![0u8; 8];
        shifted.extend_from_slice(&archive);
        assert_eq!(find(&shifted, 4096), Some(8));
        assert_eq!(
            unpack(&archive[..archive.len() - 20], &mut Fs::new()),
            Err(CpioError::Truncated {
                offset: archive.len() - 124
            })
        );
    }
}

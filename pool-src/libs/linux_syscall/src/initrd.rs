//! The initrd: a cpio archive in the "newc" format (magic `070701`, as `ukl run --initrd DIR`
//! and `cpio -H newc` write it) unpacked into the RAM filesystem.
//!
//! Each entry is a 110-byte ASCII header of thirteen 8-digit hex fields (magic, ino, mode, uid,
//! gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check), the
//! NUL-terminated name padded to 4 bytes, then the data padded to 4 bytes. `TRAILER!!!` ends it.

use crate::vfs::{normalize, Fs, S_IFDIR, S_IFMT, S_IFREG};
use alloc::vec::Vec;

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

/// Unpacks `archive` into `fs`; returns the number of entries added. Entries that are neither
/// regular files nor directories (symbolic links, devices) are skipped.
pub fn unpack(archive: &[u8], fs: &mut Fs) -> Result<usize, CpioError> {
    let mut offset = 0;
    let mut added = 0;
    loop {
        let header = archive
            .get(offset..offset + HEADER_LEN)
            .ok_or(CpioError::Truncated { offset })?;
        if &header[..6] != MAGIC {
            return Err(CpioError::BadMagic { offset });
        }
        let field = |i| hex_field(header, i).ok_or(CpioError::BadMagic { offset });
        let mode = field(1)?;
        let mtime = field(5)?;
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
        if kind != S_IFREG && kind != S_IFDIR {
            continue;
        }
        fs.create_parents(&path, mtime as i64);
        if kind == S_IFDIR && fs.get(&path).is_some_and(|n| n.is_dir()) {
            continue;
        }
        if fs
            .create(&path, mode, Vec::from(data), mtime as i64)
            .is_ok()
        {
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

    fn entry(out: &mut Vec<u8>, name: &str, mode: u32, data: &[u8]) {
        let header = format!(
            "070701{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
            1,
            mode,
            0,
            0,
            1,
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
        entry(&mut archive, "TRAILER!!!", 0, b"");
        let mut fs = Fs::new();
        assert_eq!(unpack(&archive, &mut fs), Ok(3));
        assert_eq!(fs.get("/dir/script.lua").unwrap().data, b"print(1)\n");
        assert_eq!(fs.get("/deep/x/y.txt").unwrap().data, b"abcde");
        assert!(fs.get("/deep/x").unwrap().is_dir());
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

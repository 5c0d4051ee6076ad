//! Inputs: files are memory-mapped once, classified as ELF objects or `ar` archives, and archive
//! members are listed with their symbol index so that resolution can extract them on demand.

use crate::error::{LinkError, Result};
use crate::link_error;
use memmap2::Mmap;
use object::read::archive::ArchiveFile;
use std::fs::File;
use std::path::{Path, PathBuf};

/// The bytes of one input file. Small or special files are read; regular files are mapped.
pub enum FileBytes {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

impl FileBytes {
    pub fn bytes(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(map) => map,
            FileBytes::Owned(vec) => vec,
        }
    }
}

/// One file named on the command line (or found through `-l`).
pub struct InputFile {
    pub path: PathBuf,
    pub bytes: FileBytes,
}

impl InputFile {
    pub fn open(path: &Path) -> Result<InputFile> {
        let file = File::open(path).map_err(|err| {
            link_error!("cannot open input file `{}`: {err}", path.display())
                .help("check the path; libraries given with -l are searched in the -L directories")
        })?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let bytes = if len == 0 {
            FileBytes::Owned(Vec::new())
        } else {
            // SAFETY: the map is read-only and the linker never writes to its inputs; an input
            // changed by another process during the link is outside what any linker guards
            // against (ld.lld maps its inputs the same way).
            match unsafe { Mmap::map(&file) } {
                Ok(map) => FileBytes::Mapped(map),
                Err(_) => FileBytes::Owned(std::fs::read(path).map_err(|err| {
                    link_error!("cannot read input file `{}`: {err}", path.display())
                })?),
            }
        };
        Ok(InputFile {
            path: path.to_path_buf(),
            bytes,
        })
    }

    pub fn kind(&self) -> Result<InputKind> {
        classify(self.bytes.bytes()).map_err(|why| {
            link_error!(
                "`{}` is not an input ukl can link: {why}",
                self.path.display()
            )
            .help("ukl links x86_64 ELF relocatable objects (.o) and ar archives (.a, .rlib)")
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Object,
    Archive,
    ThinArchive,
    SharedObject,
    LinkerScript,
}

/// Decides what a file is from its first bytes.
pub fn classify(data: &[u8]) -> std::result::Result<InputKind, String> {
    if data.starts_with(b"!<arch>\n") {
        return Ok(InputKind::Archive);
    }
    if data.starts_with(b"!<thin>\n") {
        return Ok(InputKind::ThinArchive);
    }
    if data.starts_with(b"\x7fELF") {
        if data.len() < 64 {
            return Err(format!(
                "truncated ELF header ({} bytes, 64 needed)",
                data.len()
            ));
        }
        let e_type = u16::from_le_bytes([data[16], data[17]]);
        return match e_type {
            1 => Ok(InputKind::Object),
            3 => Ok(InputKind::SharedObject),
            2 => Err("it is an executable (ET_EXEC), not a relocatable object".into()),
            other => Err(format!("unexpected ELF type {other}")),
        };
    }
    if data.is_empty() {
        return Err("the file is empty".into());
    }
    // GNU ld accepts a text file in place of an object as an implicit linker script; glibc's
    // libc.so is one. Report it rather than guess.
    if data.iter().take(256).all(|b| b.is_ascii()) {
        return Ok(InputKind::LinkerScript);
    }
    Err("unknown file format (neither ELF nor ar archive)".into())
}

/// One member of an archive, with the global symbols its index says it defines.
pub struct Member<'a> {
    pub name: String,
    pub data: &'a [u8],
}

/// An archive's members (ELF objects only; `lib.rmeta` and other non-ELF members are skipped)
/// and its symbol index.
pub struct Archive<'a> {
    pub members: Vec<Member<'a>>,
    /// (symbol name, member index) pairs from the archive's index, or from scanning the
    /// members' symbol tables when the archive has no index.
    pub symbols: Vec<(&'a [u8], usize)>,
}

pub fn read_archive<'a>(path: &Path, data: &'a [u8]) -> Result<Archive<'a>> {
    let bad = |why: String| {
        link_error!("archive `{}` is corrupt: {why}", path.display())
            .help("rebuild the archive (e.g. with `ar rcs`)")
    };
    let archive = ArchiveFile::parse(data).map_err(|e| bad(e.to_string()))?;
    if archive.is_thin() {
        return Err(link_error!("`{}` is a thin archive", path.display())
            .help("ukl needs regular archives; rebuild it without `T` (ar rcs)"));
    }
    let mut members = Vec::new();
    // Where each kept member's data starts in the archive, to map index entries to members.
    let mut starts = Vec::new();
    for member in archive.members() {
        let member = member.map_err(|e| bad(e.to_string()))?;
        let name = String::from_utf8_lossy(member.name()).into_owned();
        let bytes = member
            .data(data)
            .map_err(|e| bad(format!("member `{name}`: {e}")))?;
        if !bytes.starts_with(b"\x7fELF") {
            // lib.rmeta in Rust rlibs, symbol definition files, and so on.
            continue;
        }
        starts.push(data_start(data, bytes));
        members.push(Member { name, data: bytes });
    }
    let mut symbols = Vec::new();
    let mut have_index = false;
    let index = archive
        .symbols()
        .map_err(|e| bad(format!("symbol index: {e}")))?;
    if let Some(index) = index {
        for symbol in index {
            let symbol = symbol.map_err(|e| bad(format!("symbol index: {e}")))?;
            have_index = true;
            let member = archive
                .member(symbol.offset())
                .map_err(|e| bad(format!("symbol index entry: {e}")))?;
            let bytes = member.data(data).map_err(|e| bad(e.to_string()))?;
            if let Ok(position) = starts.binary_search(&data_start(data, bytes)) {
                symbols.push((symbol.name(), position));
            }
        }
    }
    if !have_index {
        for (position, member) in members.iter().enumerate() {
            for name in crate::object_file::defined_globals(member.data) {
                symbols.push((name, position));
            }
        }
    }
    Ok(Archive { members, symbols })
}

/// Where a member's data starts inside the archive's bytes.
fn data_start(archive: &[u8], member: &[u8]) -> usize {
    member.as_ptr() as usize - archive.as_ptr() as usize
}

/// Reports a shared object or text input as unsupported with the right advice.
pub fn unsupported_kind(path: &Path, kind: InputKind) -> LinkError {
    match kind {
        InputKind::SharedObject => link_error!(
            "`{}` is a shared library; ukl links static images only",
            path.display()
        )
        .help("pass -static, or link the static archive (.a) of that library"),
        InputKind::LinkerScript => link_error!(
            "`{}` is a text file; implicit linker scripts as inputs are not supported",
            path.display()
        )
        .help("pass link scripts with -T"),
        InputKind::ThinArchive => link_error!("`{}` is a thin archive", path.display())
            .help("ukl needs regular archives; rebuild it without `T` (ar rcs)"),
        _ => link_error!("`{}` cannot be linked", path.display()),
    }
}

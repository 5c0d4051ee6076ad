//! Checks on published archives: at build time, an archive's visible symbols must be exactly its
//! declared exports; at link time, an archive must have the checksum its metadata records;
//! with `--check`, a fresh build must equal the committed `prebuilt/` byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use object::read::archive::ArchiveFile;

use super::metadata::sha256_hex;
use super::package::section_sizes;
use super::{localize, private_prefix, ExportList, LibraryMetadata, PoolError, SectionSizes};

/// Checks that the archive at `path` is the one `meta` describes (its sha256).
pub fn verify_archive(meta: &LibraryMetadata, path: &Path) -> Result<(), PoolError> {
    let bytes = std::fs::read(path).map_err(|e| PoolError::io(path, "read", e))?;
    let actual = sha256_hex(&bytes);
    if actual == meta.sha256 {
        Ok(())
    } else {
        Err(PoolError::Checksum {
            path: path.to_path_buf(),
            expected: meta.sha256.clone(),
            actual,
        })
    }
}

/// The largest archive symbol index read (the pool's biggest is a few KiB).
const MAX_SYMBOL_INDEX: usize = 64 << 20;

/// The names in the GNU symbol index (the first member, `/`) of the archive at `path`: every
/// global symbol some member defines. Only the index is read, not the members.
fn symbol_index(path: &Path) -> Result<Vec<String>, String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot read it: {e}"))?;
    let mut head = [0u8; 8 + 60];
    file.read_exact(&mut head)
        .map_err(|e| format!("cannot read its first member: {e}"))?;
    if &head[..8] != b"!<arch>\n" {
        return Err("it is not an ar archive".into());
    }
    if &head[8..24] != b"/               " {
        return Err("it has no symbol index".into());
    }
    let size: usize = std::str::from_utf8(&head[8 + 48..8 + 58])
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .filter(|&size| (4..=MAX_SYMBOL_INDEX).contains(&size))
        .ok_or("its symbol index has a bad size")?;
    let mut index = vec![0u8; size];
    file.read_exact(&mut index)
        .map_err(|e| format!("its symbol index is cut short: {e}"))?;
    let count = u32::from_be_bytes([index[0], index[1], index[2], index[3]]) as usize;
    let names_at = count
        .checked_mul(4)
        .and_then(|n| n.checked_add(4))
        .filter(|&at| at <= size)
        .ok_or("its symbol index is corrupt")?;
    let names: Vec<String> = index[names_at..]
        .split(|b| *b == 0)
        .take(count)
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect();
    if names.len() != count {
        return Err("its symbol index is corrupt".into());
    }
    Ok(names)
}

/// Checks that `meta.exports` are exactly the visible (not renamed private) symbols that the
/// archive at `path` defines, as its symbol index lists them: metadata edited or left over from
/// another build would make selection trust symbols that are not there, or miss ones that are.
pub fn verify_exports(meta: &LibraryMetadata, path: &Path) -> Result<(), PoolError> {
    let drift = |message: String| PoolError::Library {
        library: meta.name.clone(),
        message,
    };
    let prefix = private_prefix(&meta.name);
    let defined: BTreeSet<String> = symbol_index(path)
        .map_err(|e| drift(format!("{}: {e}", path.display())))?
        .into_iter()
        .filter(|name| !name.starts_with(&prefix))
        .collect();
    let exports: BTreeSet<String> = meta.exports.iter().cloned().collect();
    if defined == exports {
        return Ok(());
    }
    let list = |names: Vec<&String>| {
        let shown: Vec<String> = names.iter().take(8).map(|n| format!("`{n}`")).collect();
        let more = names.len().saturating_sub(shown.len());
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    let mut problems = Vec::new();
    let unlisted: Vec<&String> = defined.difference(&exports).collect();
    if !unlisted.is_empty() {
        problems.push(format!(
            "the archive defines {} that its metadata does not export",
            list(unlisted)
        ));
    }
    let missing: Vec<&String> = exports.difference(&defined).collect();
    if !missing.is_empty() {
        problems.push(format!(
            "its metadata exports {} that the archive does not define",
            list(missing)
        ));
    }
    Err(drift(format!(
        "{} does not match its metadata: {}",
        path.display(),
        problems.join("; ")
    )))
}

/// What the export check found that is worth a warning but not an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportCheck {
    pub warnings: Vec<String>,
}

/// The symbols of a packaged archive.
#[derive(Debug, Default)]
pub(crate) struct ArchiveContents {
    /// Defined global symbols without the library's private prefix: what others can link to.
    pub defined: BTreeSet<String>,
    /// The member that defines each of `defined` (the first one, in archive order).
    pub defined_in: BTreeMap<String, String>,
    /// Every defined global symbol, renamed private ones included.
    pub all_defined: BTreeSet<String>,
    /// Undefined global symbols of any member.
    pub undefined: BTreeSet<String>,
    pub size: SectionSizes,
}

pub(crate) fn read_archive(library: &str, data: &[u8]) -> Result<ArchiveContents, PoolError> {
    let object_error = |member: &str, message: String| PoolError::Object {
        library: library.to_string(),
        member: member.to_string(),
        message,
    };
    let archive = ArchiveFile::parse(data).map_err(|e| object_error("(archive)", e.to_string()))?;
    let prefix = private_prefix(library);
    let mut contents = ArchiveContents::default();
    for member in archive.members() {
        let member = member.map_err(|e| object_error("(archive)", e.to_string()))?;
        let name = String::from_utf8_lossy(member.name()).into_owned();
        let bytes = member
            .data(data)
            .map_err(|e| object_error(&name, e.to_string()))?;
        for symbol in localize::symbols(bytes).map_err(|e| object_error(&name, e))? {
            if !symbol.is_global() {
                continue;
            }
            if symbol.defined {
                if !symbol.name.starts_with(&prefix) {
                    contents.defined.insert(symbol.name.clone());
                    contents
                        .defined_in
                        .entry(symbol.name.clone())
                        .or_insert_with(|| name.clone());
                }
                contents.all_defined.insert(symbol.name);
            } else {
                contents.undefined.insert(symbol.name);
            }
        }
        let size = section_sizes(bytes).map_err(|e| object_error(&name, e))?;
        contents.size.text += size.text;
        contents.size.data += size.data;
        contents.size.bss += size.bss;
    }
    Ok(contents)
}

/// The visible symbols of archive `path` of library `library`: defined, global, and not renamed
/// private (`__ukl_<library>_…`).
pub fn visible_symbols(library: &str, path: &Path) -> Result<BTreeSet<String>, PoolError> {
    let data = std::fs::read(path).map_err(|e| PoolError::io(path, "read", e))?;
    Ok(read_archive(library, &data)?.defined)
}

/// Checks that the visible symbols of archive `path` are exactly what `exports_file` declares:
/// every plain name is defined, every defined symbol matches a pattern. A glob that matches
/// nothing is a warning.
pub fn check_exports(
    library: &str,
    path: &Path,
    exports_file: &Path,
) -> Result<ExportCheck, PoolError> {
    let exports = ExportList::load(exports_file)?;
    check_symbols(
        library,
        &visible_symbols(library, path)?,
        &exports,
        exports_file,
    )
}

pub(crate) fn check_symbols(
    library: &str,
    defined: &BTreeSet<String>,
    exports: &ExportList,
    exports_file: &Path,
) -> Result<ExportCheck, PoolError> {
    if let Some(symbol) = defined.iter().find(|symbol| !exports.matches(symbol)) {
        return Err(PoolError::Library {
            library: library.to_string(),
            message: format!(
                "the archive defines `{symbol}`, which {} does not export (this is a bug in \
                 ukl's symbol privatization: please report it)",
                exports_file.display()
            ),
        });
    }
    let mut check = ExportCheck::default();
    for pattern in &exports.patterns {
        if ExportList::is_glob(pattern) {
            if !defined
                .iter()
                .any(|symbol| super::metadata::glob_matches(pattern, symbol))
            {
                check.warnings.push(format!(
                    "library {library}: export pattern `{pattern}` in {} matches no symbol",
                    exports_file.display()
                ));
            }
        } else if !defined.contains(pattern) {
            return Err(PoolError::UndefinedExport {
                library: library.to_string(),
                symbol: pattern.clone(),
                exports_file: exports_file.to_path_buf(),
            });
        }
    }
    Ok(check)
}

/// Compares the files of `built` with those of `committed`; each difference is one line naming
/// the file.
pub(crate) fn compare_dirs(built: &Path, committed: &Path) -> Result<Vec<String>, PoolError> {
    let built_files = list_files(built)?;
    let committed_files = if committed.is_dir() {
        list_files(committed)?
    } else {
        Vec::new()
    };
    let mut differences = Vec::new();
    for name in &built_files {
        let path = committed.join(name);
        if !committed_files.contains(name) {
            differences.push(format!("missing: {}", path.display()));
            continue;
        }
        let new = std::fs::read(built.join(name)).map_err(|e| PoolError::io(built, "read", e))?;
        let old = std::fs::read(&path).map_err(|e| PoolError::io(&path, "read", e))?;
        if new != old {
            differences.push(format!(
                "differs: {} (committed sha256 {}, built {})",
                path.display(),
                sha256_hex(&old),
                sha256_hex(&new)
            ));
        }
    }
    for name in committed_files
        .iter()
        .filter(|name| !built_files.contains(name))
    {
        if name.ends_with(".a") || name.ends_with(".toml") {
            differences.push(format!("not built: {}", committed.join(name).display()));
        }
    }
    Ok(differences)
}

fn list_files(dir: &Path) -> Result<Vec<String>, PoolError> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| PoolError::io(dir, "list", e))? {
        let entry = entry.map_err(|e| PoolError::io(dir, "list", e))?;
        if entry.path().is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

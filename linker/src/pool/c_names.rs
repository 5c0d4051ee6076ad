//! The C library's names are the program's: no pool library may shadow them by accident.
//!
//! Pool libraries are linked whole and before the program's own archives, so an exported
//! definition of `fmin` in a pool library wins over musl's `fmin` in every unikernel link,
//! silently (the program gets a function with other rounding and exception-flag behaviour).
//! A library may export C library names only when registry.toml says it is (part of) the
//! pool's C library (`kind = "libc"` or `c_library = true`): then a program that brings its
//! own C library is linked without it.
//!
//! The C library's names are the exports of the pool's own C libraries and the global
//! definitions of the system C libraries that registry.toml records (`[[system_library]]`
//! providing `libc`: musl's libc.a), read from their archive's symbol index.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::metadata::{Registry, RegistryEntry};
use super::package::PackagedLibrary;
use super::PoolError;

/// A system C library archive that the check reads.
struct SystemArchive {
    library: String,
    package: String,
    path: PathBuf,
}

/// The `.a` files of the registry's system libraries that provide `libc`.
fn system_archives(registry: &Registry) -> Vec<SystemArchive> {
    let mut archives = Vec::new();
    for table in &registry.system_library {
        let provides_libc = table
            .get("provides")
            .and_then(toml::Value::as_array)
            .is_some_and(|p| p.iter().any(|c| c.as_str() == Some("libc")));
        if !provides_libc {
            continue;
        }
        let text = |key: &str| {
            table
                .get(key)
                .and_then(toml::Value::as_str)
                .unwrap_or("?")
                .to_string()
        };
        let files = table.get("files").and_then(toml::Value::as_array);
        for file in files.into_iter().flatten() {
            if let Some(path) = file.get("path").and_then(toml::Value::as_str) {
                if path.ends_with(".a") {
                    archives.push(SystemArchive {
                        library: text("name"),
                        package: text("package"),
                        path: PathBuf::from(path),
                    });
                }
            }
        }
    }
    archives
}

/// The names in an archive's symbol index (every global or weak definition of its members).
fn archive_names(archive: &SystemArchive) -> Result<BTreeSet<String>, PoolError> {
    let bytes = std::fs::read(&archive.path).map_err(|source| PoolError::Library {
        library: archive.library.clone(),
        message: format!(
            "cannot read `{}` ({source}), whose names the pool build checks that no pool \
             library shadows\nhelp: install Debian's {} (scripts/setup does)",
            archive.path.display(),
            archive.package
        ),
    })?;
    let invalid = |message: String| PoolError::Library {
        library: archive.library.clone(),
        message: format!("`{}`: {message}", archive.path.display()),
    };
    let file = object::read::archive::ArchiveFile::parse(bytes.as_slice())
        .map_err(|e| invalid(format!("not an archive: {e}")))?;
    let symbols = file
        .symbols()
        .map_err(|e| invalid(format!("unreadable symbol index: {e}")))?
        .ok_or_else(|| invalid("the archive has no symbol index".to_string()))?;
    let mut names = BTreeSet::new();
    for symbol in symbols {
        let symbol = symbol.map_err(|e| invalid(format!("unreadable symbol index: {e}")))?;
        names.insert(String::from_utf8_lossy(symbol.name()).into_owned());
    }
    Ok(names)
}

/// Refuses a library that exports a C library name without being part of the pool's C
/// library.
pub(super) fn check_c_names(
    registry: &Registry,
    packaged: &[(&RegistryEntry, PackagedLibrary)],
) -> Result<(), PoolError> {
    // Name → where it comes from, for the message.
    let mut c_names: BTreeMap<String, String> = BTreeMap::new();
    for archive in system_archives(registry) {
        for name in archive_names(&archive)? {
            c_names
                .entry(name)
                .or_insert_with(|| format!("{}'s {}", archive.library, archive.path.display()));
        }
    }
    for (entry, library) in packaged {
        if entry.is_c_library() {
            for name in &library.exports {
                c_names
                    .entry(name.clone())
                    .or_insert_with(|| format!("the pool's {}", entry.name));
            }
        }
    }
    for (entry, library) in packaged {
        if entry.is_c_library() {
            continue;
        }
        let shadowed: Vec<String> = library
            .exports
            .iter()
            .filter_map(|name| {
                c_names
                    .get(name)
                    .map(|from| format!("`{name}` (defined by {from})"))
            })
            .collect();
        if !shadowed.is_empty() {
            return Err(PoolError::Library {
                library: entry.name.clone(),
                message: format!(
                    "exports {} C library name{}: {}; linked whole before the program's own C \
                     library, it would replace the program's definitions\nhelp: remove them \
                     from {} (they stay private to {}), or, if {} is part of the pool's C \
                     library, say `c_library = true` in its registry.toml entry",
                    shadowed.len(),
                    if shadowed.len() == 1 { "" } else { "s" },
                    shadowed.join(", "),
                    entry.exports.display(),
                    entry.name,
                    entry.name
                ),
            });
        }
    }
    Ok(())
}

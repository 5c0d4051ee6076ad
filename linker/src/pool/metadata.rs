//! The pool's data files: `registry.toml` (what libraries exist), `exports.txt` (what each one
//! exports), and what `ukl pool build` publishes next to each archive in `prebuilt/<arch>/`:
//! `<name>-<version>.toml` ([`LibraryMetadata`]) and `index.toml` ([`PoolIndex`]).
//!
//! Metadata is TOML written with sorted lists so that it is byte-for-byte reproducible.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::PoolError;

/// Version of the metadata and index format; bumped when a field changes meaning.
/// Format 2 added `export_members` (which member defines each export), format 3 `private`
/// (what the library keeps to itself).
pub const METADATA_FORMAT: u32 = 3;

/// Name of the index in `prebuilt/<arch>/`.
pub const INDEX_FILE: &str = "index.toml";

/// What role a library plays in an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LibraryKind {
    Arch,
    Plat,
    Lib,
    Libc,
    Runtime,
}

/// Platforms a library supports: every platform, or a list of names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "toml::Value", into = "toml::Value")]
pub enum Platforms {
    All,
    Only(Vec<String>),
}

impl Platforms {
    pub fn supports(&self, platform: &str) -> bool {
        match self {
            Platforms::All => true,
            Platforms::Only(list) => list.iter().any(|p| p == platform),
        }
    }

    /// True if some platform supports both.
    pub fn overlaps(&self, other: &Platforms) -> bool {
        match (self, other) {
            (Platforms::Only(list), other) | (other, Platforms::Only(list)) => {
                list.iter().any(|p| other.supports(p))
            }
            (Platforms::All, Platforms::All) => true,
        }
    }
}

impl TryFrom<toml::Value> for Platforms {
    type Error = String;

    fn try_from(value: toml::Value) -> Result<Self, Self::Error> {
        match value {
            toml::Value::String(word) if word == "all" => Ok(Platforms::All),
            toml::Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    toml::Value::String(name) => Ok(name),
                    other => Err(format!("platform names are strings, found {other}")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Platforms::Only),
            other => Err(format!(
                "platforms is \"all\" or a list of names, found {other}"
            )),
        }
    }
}

impl From<Platforms> for toml::Value {
    fn from(platforms: Platforms) -> toml::Value {
        match platforms {
            Platforms::All => toml::Value::String("all".to_string()),
            Platforms::Only(list) => {
                toml::Value::Array(list.into_iter().map(toml::Value::String).collect())
            }
        }
    }
}

/// One `[[library]]` of `registry.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryEntry {
    pub name: String,
    pub version: String,
    pub kind: LibraryKind,
    pub description: String,
    /// The export list, relative to the registry's folder.
    pub exports: PathBuf,
    /// Libraries whose symbols this one uses.
    #[serde(default)]
    pub dependencies: Vec<String>,
    pub platforms: Platforms,
    /// Capabilities this library provides (e.g. `allocator`).
    #[serde(default)]
    pub provides: Vec<String>,
    /// Capabilities this library needs some other library to provide (e.g. `allocator`).
    #[serde(default)]
    pub requires: Vec<String>,
    /// Libraries that must not be in the same image as this one.
    #[serde(default)]
    pub conflicts: Vec<String>,
    /// Part of the pool's own C library (as every `kind = "libc"` library is): it exports C
    /// library names on purpose (`socket`, `pthread_create`, ...), and a program that brings
    /// its own C library (musl, through `ukl ld`) is linked without it. `ukl pool build`
    /// refuses any other library that exports a C library name.
    #[serde(default)]
    pub c_library: bool,
    /// Link-time options: name → `{ type, default, description, min?, max? }` (read by
    /// `crate::options`).
    #[serde(default)]
    pub options: toml::Table,
}

/// `registry.toml`: every library of the pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    /// The library chosen for a capability when the link does not name one: one name, or a
    /// list meaning the first one available for the link's platform.
    #[serde(default)]
    pub defaults: BTreeMap<String, DefaultChoice>,
    pub library: Vec<RegistryEntry>,
    /// Libraries taken from the system at link time (read by `crate::system_lib`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub system_library: Vec<toml::Table>,
}

/// A `[defaults]` value: `"name"` or `["name", ...]` (the first available for the platform).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DefaultChoice {
    One(String),
    FirstAvailable(Vec<String>),
}

impl DefaultChoice {
    /// The candidates in order of preference.
    pub fn names(&self) -> &[String] {
        match self {
            DefaultChoice::One(name) => std::slice::from_ref(name),
            DefaultChoice::FirstAvailable(names) => names,
        }
    }

    /// True if `library` is one of the candidates.
    pub fn names_library(&self, library: &str) -> bool {
        self.names().iter().any(|n| n == library)
    }
}

impl RegistryEntry {
    /// True if the library is, or is part of, the pool's C library (see `c_library`).
    pub fn is_c_library(&self) -> bool {
        self.kind == LibraryKind::Libc || self.c_library
    }
}

impl Registry {
    /// The default provider of `capability` for `platform`: the first candidate whose
    /// `platforms` include it (a library missing from the registry counts as available, so
    /// that selection reports it).
    pub fn default_for(&self, capability: &str, platform: &str) -> Option<&String> {
        let choice = self.defaults.get(capability)?;
        choice
            .names()
            .iter()
            .find(|n| self.get(n).is_none_or(|r| r.platforms.supports(platform)))
    }

    pub fn get(&self, name: &str) -> Option<&RegistryEntry> {
        self.library.iter().find(|entry| entry.name == name)
    }
}

/// Reads and checks `registry.toml`: names are unique and dependencies name registered
/// libraries.
pub fn load_registry(path: &Path) -> Result<Registry, PoolError> {
    let text = std::fs::read_to_string(path).map_err(|e| PoolError::io(path, "read", e))?;
    let registry: Registry = toml::from_str(&text).map_err(|e| PoolError::Registry {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let problem = |message: String| PoolError::Registry {
        path: path.to_path_buf(),
        message,
    };
    for (index, entry) in registry.library.iter().enumerate() {
        if registry.library[..index]
            .iter()
            .any(|other| other.name == entry.name)
        {
            return Err(problem(format!(
                "library `{}` is registered twice",
                entry.name
            )));
        }
        for conflict in &entry.conflicts {
            if registry.get(conflict).is_none() {
                return Err(problem(format!(
                    "library `{}` conflicts with `{conflict}`, which is not registered",
                    entry.name
                )));
            }
        }
        for dependency in &entry.dependencies {
            if registry.get(dependency).is_none() {
                return Err(problem(format!(
                    "library `{}` depends on `{dependency}`, which is not registered",
                    entry.name
                )));
            }
        }
    }
    Ok(registry)
}

/// A library's export list: one symbol or glob (`*` matches any run of characters) per line;
/// `#` starts a comment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportList {
    pub patterns: Vec<String>,
}

impl ExportList {
    pub fn load(path: &Path) -> Result<ExportList, PoolError> {
        let text = std::fs::read_to_string(path).map_err(|e| PoolError::io(path, "read", e))?;
        Ok(ExportList::parse(&text))
    }

    pub fn parse(text: &str) -> ExportList {
        let patterns = text
            .lines()
            .map(|line| line.split('#').next().unwrap_or("").trim())
            .filter(|line| !line.is_empty())
            .map(str::to_string)
            .collect();
        ExportList { patterns }
    }

    pub fn is_glob(pattern: &str) -> bool {
        pattern.contains('*')
    }

    pub fn matches(&self, symbol: &str) -> bool {
        self.patterns
            .iter()
            .any(|pattern| glob_matches(pattern, symbol))
    }
}

/// `*` matches any run of characters (possibly empty); everything else matches itself.
pub(crate) fn glob_matches(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let mut parts: Vec<&str> = parts.collect();
    let Some(last) = parts.pop() else {
        return rest.is_empty(); // No `*` at all.
    };
    for part in parts {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Bytes of allocated sections by kind: `text` is executable, `data` is initialized and not
/// executable (read-only data included), `bss` is zero-initialized (`.tbss` included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionSizes {
    pub text: u64,
    pub data: u64,
    pub bss: u64,
}

/// The compilers that built the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Toolchain {
    /// `release` of `rustc -vV`.
    pub rustc: String,
    /// `commit-hash` of `rustc -vV`.
    pub rustc_commit: String,
    /// `gcc -dumpfullversion`, or `none` when gcc is not installed.
    pub gcc: String,
}

/// `prebuilt/<arch>/<name>-<version>.toml`: what the linker needs to know about one archive
/// without opening it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryMetadata {
    pub format: u32,
    pub name: String,
    pub version: String,
    pub kind: LibraryKind,
    /// File name of the archive, in the same folder.
    pub archive: String,
    /// sha256 of the archive, lowercase hex.
    pub sha256: String,
    pub size: SectionSizes,
    pub toolchain: Toolchain,
    /// Object members of the archive, in archive order.
    pub members: Vec<String>,
    /// Global symbols the archive defines (sorted): exactly the expanded export list.
    pub exports: Vec<String>,
    /// The object member that defines each export (for `ukl why`).
    pub export_members: BTreeMap<String, String>,
    /// Symbols the archive uses but does not define (sorted).
    pub imports: Vec<String>,
    /// Global or weak symbols that the library's objects define but its export list does not
    /// declare (sorted, by their original names): localized or renamed by the pool build, so
    /// that no other library or program can see them (`ukl pool info` lists them).
    #[serde(default)]
    pub private: Vec<String>,
}

impl LibraryMetadata {
    pub fn to_toml(&self) -> Result<String, PoolError> {
        to_toml(self, &self.archive)
    }
}

/// Reads one library's metadata file.
pub fn load_metadata(path: &Path) -> Result<LibraryMetadata, PoolError> {
    let text = std::fs::read_to_string(path).map_err(|e| PoolError::io(path, "read", e))?;
    let metadata: LibraryMetadata = toml::from_str(&text).map_err(|e| PoolError::Metadata {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    check_format(path, metadata.format)?;
    Ok(metadata)
}

/// One library in `index.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexEntry {
    pub name: String,
    pub version: String,
    pub kind: LibraryKind,
    /// Archive file name, in the index's folder.
    pub archive: String,
    /// Metadata file name, in the index's folder.
    pub metadata: String,
    /// sha256 of the archive, lowercase hex.
    pub sha256: String,
}

/// `prebuilt/<arch>/index.toml`: every published library of one architecture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolIndex {
    pub format: u32,
    pub arch: String,
    pub toolchain: Toolchain,
    pub library: Vec<IndexEntry>,
    /// The folder the index was read from (not stored in the file).
    #[serde(skip)]
    pub dir: PathBuf,
}

impl PoolIndex {
    pub fn get(&self, name: &str) -> Option<&IndexEntry> {
        self.library.iter().find(|entry| entry.name == name)
    }

    pub fn archive_path(&self, entry: &IndexEntry) -> PathBuf {
        self.dir.join(&entry.archive)
    }

    pub fn metadata_path(&self, entry: &IndexEntry) -> PathBuf {
        self.dir.join(&entry.metadata)
    }

    /// Reads an entry's metadata and checks that it agrees with the index.
    pub fn load_metadata(&self, entry: &IndexEntry) -> Result<LibraryMetadata, PoolError> {
        let path = self.metadata_path(entry);
        let metadata = load_metadata(&path)?;
        if metadata.name != entry.name
            || metadata.version != entry.version
            || metadata.sha256 != entry.sha256
            || metadata.archive != entry.archive
        {
            return Err(PoolError::Metadata {
                path,
                message: format!(
                    "does not agree with {} about library {} {}",
                    self.dir.join(INDEX_FILE).display(),
                    entry.name,
                    entry.version
                ),
            });
        }
        Ok(metadata)
    }

    pub fn to_toml(&self) -> Result<String, PoolError> {
        to_toml(self, INDEX_FILE)
    }
}

/// Reads `<prebuilt_dir>/index.toml`, where `prebuilt_dir` is one architecture's folder
/// (`prebuilt/x86_64`). Archive and metadata paths resolve against that folder.
pub fn load_index(prebuilt_dir: &Path) -> Result<PoolIndex, PoolError> {
    let path = prebuilt_dir.join(INDEX_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| PoolError::io(&path, "read", e))?;
    let mut index: PoolIndex = toml::from_str(&text).map_err(|e| PoolError::Metadata {
        path: path.clone(),
        message: e.to_string(),
    })?;
    check_format(&path, index.format)?;
    let mut names = BTreeMap::new();
    for entry in &index.library {
        if names.insert(entry.name.as_str(), ()).is_some() {
            return Err(PoolError::Metadata {
                path,
                message: format!("library {} is listed twice", entry.name),
            });
        }
    }
    index.dir = prebuilt_dir.to_path_buf();
    Ok(index)
}

fn check_format(path: &Path, format: u32) -> Result<(), PoolError> {
    if format == METADATA_FORMAT {
        Ok(())
    } else {
        Err(PoolError::Metadata {
            path: path.to_path_buf(),
            message: format!(
                "metadata format {format}, but this ukl reads format {METADATA_FORMAT}"
            ),
        })
    }
}

fn to_toml<T: Serialize>(value: &T, what: &str) -> Result<String, PoolError> {
    let body = toml::to_string_pretty(value).map_err(|e| PoolError::Metadata {
        path: PathBuf::from(what),
        message: format!("cannot serialize: {e}"),
    })?;
    Ok(format!(
        "# Written by `ukl pool build`; do not edit.\n{body}"
    ))
}

/// Lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_sets_overlap() {
        let only = |names: &[&str]| Platforms::Only(names.iter().map(|n| n.to_string()).collect());
        assert!(Platforms::All.overlaps(&Platforms::All));
        assert!(Platforms::All.overlaps(&only(&["kvm"])));
        assert!(only(&["linuxu"]).overlaps(&Platforms::All));
        assert!(only(&["kvm", "xen"]).overlaps(&only(&["xen"])));
        assert!(!only(&["kvm"]).overlaps(&only(&["linuxu"])));
        assert!(!only(&[]).overlaps(&Platforms::All));
    }

    #[test]
    fn globs() {
        assert!(glob_matches("uk_*", "uk_malloc"));
        assert!(glob_matches("uk_*", "uk_"));
        assert!(!glob_matches("uk_*", "ukmalloc"));
        assert!(glob_matches("memcpy", "memcpy"));
        assert!(!glob_matches("memcpy", "memcpy2"));
        assert!(glob_matches("_R*4core*", "_RNvNtCs1_4core3fmt5write"));
        assert!(!glob_matches("_R*4core*", "_RNvNtCs1_5alloc3fmt5write"));
        assert!(glob_matches("*_end", "x_end"));
        assert!(glob_matches("a*ba", "aba"));
        assert!(!glob_matches("a*ba", "ab"));
        assert!(glob_matches("a*a", "aa"));
    }

    #[test]
    fn export_list_comments_and_blanks() {
        let list = ExportList::parse("# header\nuk_malloc\n\n  uk_free  # the pair\nuk_*\n");
        assert_eq!(list.patterns, ["uk_malloc", "uk_free", "uk_*"]);
    }

    #[test]
    fn sha256_of_nothing() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}

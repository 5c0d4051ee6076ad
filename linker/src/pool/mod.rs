//! The pool builder behind `ukl pool build`: compiles `pool-src/` once, packages every library
//! as a reproducible GNU archive whose only visible symbols are its declared exports, and
//! publishes the archives with their metadata and an index in `prebuilt/<arch>/`.
//!
//! Steps, one module each:
//! - [`compile`]: `cargo build` of the pool with path remapping, artifacts from cargo's JSON
//!   messages;
//! - [`localize`]: every defined symbol that `exports.txt` does not declare becomes private;
//! - [`package`]: the objects become a GNU archive with a symbol index, written reproducibly;
//! - [`metadata`]: `registry.toml`, export lists, per-library metadata and the index;
//! - [`verify`]: export checks at build time, checksums at link time, `--check` comparisons;
//! - [`c_names`]: no library but the pool's C library exports a C library name.
//!
//! Linking never needs cargo or rustc: it reads the index ([`load_index`]) and checks each
//! archive against its metadata ([`verify_archive`]).

mod c_names;
mod compile;
mod drop_sections;
mod localize;
mod metadata;
mod package;
mod verify;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

pub use metadata::{
    load_index, load_metadata, load_registry, sha256_hex, ExportList, IndexEntry, LibraryKind,
    LibraryMetadata, Platforms, PoolIndex, Registry, RegistryEntry, SectionSizes, Toolchain,
    METADATA_FORMAT,
};
pub use verify::{check_exports, verify_archive, verify_exports, visible_symbols, ExportCheck};

/// The architecture the pool is compiled for; archives go to `prebuilt/<ARCH>/`.
pub const ARCH: &str = "x86_64";

/// Prefix given to the symbols of library `<lib>` that must stay global to link (see
/// [`localize`]): `__ukl_<lib>_<symbol>`.
pub fn private_prefix(library: &str) -> String {
    format!("__ukl_{library}_")
}

/// What `ukl pool build` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolBuildOptions {
    /// The pool's cargo workspace (`pool-src/`).
    pub pool_src: PathBuf,
    /// The registry of pool libraries (`registry.toml`); export files are relative to its folder.
    pub registry: PathBuf,
    /// Where archives are published: `<out>/<ARCH>/` (normally `prebuilt/`).
    pub out: PathBuf,
    /// Cargo's target directory; `<pool_src>/target` when `None`.
    pub target_dir: Option<PathBuf>,
    /// Build into a temporary folder and compare with `<out>/<ARCH>/` byte for byte instead of
    /// writing there.
    pub check: bool,
}

impl PoolBuildOptions {
    /// The usual layout of a ukl checkout: `pool-src/`, `registry.toml` and `prebuilt/` under
    /// `root`.
    pub fn for_repository(root: &Path) -> PoolBuildOptions {
        PoolBuildOptions {
            pool_src: root.join("pool-src"),
            registry: root.join("registry.toml"),
            out: root.join("prebuilt"),
            target_dir: None,
            check: false,
        }
    }

    /// The layout around a given pool: `registry.toml` and `prebuilt/` beside `pool_src`.
    pub fn for_pool_src(pool_src: &Path) -> PoolBuildOptions {
        let root = pool_src.parent().unwrap_or(Path::new("."));
        PoolBuildOptions {
            pool_src: pool_src.to_path_buf(),
            ..PoolBuildOptions::for_repository(root)
        }
    }
}

/// What one library's packaging did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryReport {
    pub name: String,
    pub version: String,
    /// Path of the archive written (or, with `--check`, built in the temporary folder).
    pub archive: PathBuf,
    pub sha256: String,
    pub members: usize,
    pub exports: usize,
    pub imports: usize,
    /// Symbols made local to their object.
    pub localized: usize,
    /// Symbols renamed to `__ukl_<lib>_<name>` because several objects of the library use them.
    pub renamed: usize,
    pub size: SectionSizes,
}

/// The outcome of [`build_pool`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolReport {
    /// `<out>/<ARCH>/`: written, or compared with when `checked`.
    pub out_dir: PathBuf,
    pub libraries: Vec<LibraryReport>,
    /// Problems that do not stop the build (an export glob that matches nothing, a Rust symbol
    /// that no pool library exports, ...).
    pub warnings: Vec<String>,
    /// Stale files removed from `out_dir` (older versions of archives and metadata).
    pub removed: Vec<PathBuf>,
    /// True when this was a `--check` run (and it found `out_dir` up to date).
    pub checked: bool,
}

impl fmt::Display for PoolReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for library in &self.libraries {
            writeln!(
                f,
                "{:<14} {:<8} {:>3} objects {:>5} exports {:>5} imports {:>5} private \
                 text {:>7} data {:>6} bss {:>7}  {}",
                library.name,
                library.version,
                library.members,
                library.exports,
                library.imports,
                library.localized + library.renamed,
                library.size.text,
                library.size.data,
                library.size.bss,
                library.sha256.get(..16).unwrap_or(&library.sha256),
            )?;
        }
        for warning in &self.warnings {
            writeln!(f, "warning: {warning}")?;
        }
        for removed in &self.removed {
            writeln!(f, "removed stale {}", removed.display())?;
        }
        if self.checked {
            write!(f, "{} is up to date with pool-src", self.out_dir.display())
        } else {
            write!(
                f,
                "published {} libraries in {}",
                self.libraries.len(),
                self.out_dir.display()
            )
        }
    }
}

/// Everything that can stop `ukl pool build` or a checksum check. Every variant names the file,
/// library or symbol concerned; the message ends with what to do.
#[derive(Debug)]
pub enum PoolError {
    /// Reading or writing a file failed.
    Io {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
    /// A tool (cargo, rustc, gcc) could not be run or failed.
    Tool { command: String, detail: String },
    /// cargo could not compile the pool; `errors` are rustc's rendered diagnostics.
    Compile { errors: Vec<String> },
    /// `registry.toml` is invalid or disagrees with `pool-src/`.
    Registry { path: PathBuf, message: String },
    /// An export list, metadata file or index is invalid.
    Metadata { path: PathBuf, message: String },
    /// An object file of a library could not be read or rewritten.
    Object {
        library: String,
        member: String,
        message: String,
    },
    /// `exports.txt` declares a symbol that the library does not define.
    UndefinedExport {
        library: String,
        symbol: String,
        exports_file: PathBuf,
    },
    /// A library uses a symbol that another library defines but does not export.
    PrivateImport {
        library: String,
        symbol: String,
        owner: String,
    },
    /// Any other problem with one library.
    Library { library: String, message: String },
    /// An archive does not have the checksum its metadata records.
    Checksum {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    /// `--check`: the committed archives are not what pool-src builds.
    Stale {
        out_dir: PathBuf,
        differences: Vec<String>,
    },
}

impl PoolError {
    pub(crate) fn io(path: &Path, action: &'static str, source: io::Error) -> PoolError {
        PoolError::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::Io {
                path,
                action,
                source,
            } => {
                write!(f, "cannot {action} {}: {source}", path.display())
            }
            PoolError::Tool { command, detail } => write!(f, "`{command}` failed: {detail}"),
            PoolError::Compile { errors } => {
                write!(f, "the pool does not compile ({} errors):", errors.len())?;
                for error in errors {
                    write!(f, "\n{}", error.trim_end())?;
                }
                write!(
                    f,
                    "\nhelp: fix the errors above in pool-src/ and run `ukl pool build` again"
                )
            }
            PoolError::Registry { path, message } => write!(
                f,
                "{}: {message}\nhelp: every crate in pool-src/libs/ needs one [[library]] entry \
                 in registry.toml with the same name and version",
                path.display()
            ),
            PoolError::Metadata { path, message } => write!(
                f,
                "{}: {message}\nhelp: run `ukl pool build` or restore the file with git",
                path.display()
            ),
            PoolError::Object {
                library,
                member,
                message,
            } => {
                write!(f, "library {library}, object {member}: {message}")
            }
            PoolError::UndefinedExport {
                library,
                symbol,
                exports_file,
            } => write!(
                f,
                "library {library} declares export `{symbol}` in {} but does not define it\n\
                 help: define `{symbol}` as a `#[no_mangle] extern \"C\"` item (or a global C \
                 function) in {library}, or remove it from the export list",
                exports_file.display()
            ),
            PoolError::PrivateImport {
                library,
                symbol,
                owner,
            } => write!(
                f,
                "library {library} uses `{symbol}`, which library {owner} defines but does not \
                 export\nhelp: add `{symbol}` to pool-src/libs/{owner}/exports.txt, or stop \
                 using it from {library} (pool libraries talk only through exported C symbols)"
            ),
            PoolError::Library { library, message } => write!(f, "library {library}: {message}"),
            PoolError::Checksum {
                path,
                expected,
                actual,
            } => write!(
                f,
                "{} does not match its metadata: expected sha256 {expected}, found {actual}\n\
                 help: run `ukl pool build` or restore the file with git",
                path.display()
            ),
            PoolError::Stale {
                out_dir,
                differences,
            } => {
                write!(f, "{} is not what pool-src builds:", out_dir.display())?;
                for difference in differences {
                    write!(f, "\n  {difference}")?;
                }
                write!(f, "\nhelp: run `ukl pool build` and commit prebuilt/")
            }
        }
    }
}

impl std::error::Error for PoolError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PoolError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Compiles the pool and publishes (or, with `check`, compares) every library's archive,
/// metadata and the index. See the module documentation for the steps.
pub fn build_pool(options: &PoolBuildOptions) -> Result<PoolReport, PoolError> {
    let registry = load_registry(&options.registry)?;
    let registry_dir = options
        .registry
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let toolchain = compile::toolchain()?;
    let crates = compile::compile_pool(&options.pool_src, options.target_dir.as_deref())?;
    match_registry(&registry, &options.registry, &crates)?;

    let published_dir = options.out.join(ARCH);
    // With --check, build next to nothing that is committed and compare afterwards.
    let temporary = if options.check {
        Some(
            tempfile::Builder::new()
                .prefix("ukl-pool-check")
                .tempdir()
                .map_err(|source| {
                    PoolError::io(
                        &std::env::temp_dir(),
                        "create a temporary folder in",
                        source,
                    )
                })?,
        )
    } else {
        None
    };
    let out_dir = match &temporary {
        Some(dir) => dir.path().join(ARCH),
        None => published_dir.clone(),
    };
    std::fs::create_dir_all(&out_dir).map_err(|e| PoolError::io(&out_dir, "create", e))?;

    let mut warnings = Vec::new();
    let mut packaged = Vec::new();
    for entry in &registry.library {
        let Some(artifacts) = crates.iter().find(|c| c.name == entry.name) else {
            continue; // match_registry has reported missing crates already.
        };
        let exports_file = registry_dir.join(&entry.exports);
        let exports = ExportList::load(&exports_file)?;
        let library = package::package_library(entry, artifacts, &exports, &exports_file)?;
        warnings.extend(library.check.warnings.iter().cloned());
        packaged.push((entry, library));
    }
    warnings.extend(check_imports(&packaged)?);
    c_names::check_c_names(&registry, &packaged)?;

    let mut reports = Vec::new();
    let mut index_entries = Vec::new();
    let mut written = BTreeSet::new();
    for (entry, library) in &packaged {
        let archive_name = format!("{}-{}.a", entry.name, entry.version);
        let metadata_name = format!("{}-{}.toml", entry.name, entry.version);
        let archive_path = out_dir.join(&archive_name);
        write_file(&archive_path, &library.archive)?;
        let sha256 = metadata::sha256_hex(&library.archive);
        let meta = LibraryMetadata {
            format: METADATA_FORMAT,
            name: entry.name.clone(),
            version: entry.version.clone(),
            kind: entry.kind,
            archive: archive_name.clone(),
            sha256: sha256.clone(),
            size: library.size,
            toolchain: toolchain.clone(),
            members: library.member_names.clone(),
            exports: library.exports.iter().cloned().collect(),
            export_members: library.export_members.clone(),
            imports: library.imports.iter().cloned().collect(),
            private: library.privatized.iter().cloned().collect(),
        };
        write_file(&out_dir.join(&metadata_name), meta.to_toml()?.as_bytes())?;
        index_entries.push(IndexEntry {
            name: entry.name.clone(),
            version: entry.version.clone(),
            kind: entry.kind,
            archive: archive_name.clone(),
            metadata: metadata_name.clone(),
            sha256: sha256.clone(),
        });
        written.insert(archive_name);
        written.insert(metadata_name);
        reports.push(LibraryReport {
            name: entry.name.clone(),
            version: entry.version.clone(),
            archive: archive_path,
            sha256,
            members: library.member_names.len(),
            exports: library.exports.len(),
            imports: library.imports.len(),
            localized: library.localized,
            renamed: library.renamed,
            size: library.size,
        });
    }
    let index = PoolIndex {
        format: METADATA_FORMAT,
        arch: ARCH.to_string(),
        toolchain,
        library: index_entries,
        dir: out_dir.clone(),
    };
    write_file(
        &out_dir.join(metadata::INDEX_FILE),
        index.to_toml()?.as_bytes(),
    )?;
    written.insert(metadata::INDEX_FILE.to_string());

    let mut removed = Vec::new();
    if let Some(temporary) = &temporary {
        let differences = verify::compare_dirs(&temporary.path().join(ARCH), &published_dir)?;
        if !differences.is_empty() {
            return Err(PoolError::Stale {
                out_dir: published_dir,
                differences,
            });
        }
    } else {
        removed = remove_stale(&out_dir, &written)?;
    }
    Ok(PoolReport {
        out_dir: published_dir,
        libraries: reports,
        warnings,
        removed,
        checked: options.check,
    })
}

/// Every crate of pool-src must have a registry entry with the same version, and every entry a
/// crate.
fn match_registry(
    registry: &Registry,
    registry_path: &Path,
    crates: &[compile::CrateArtifacts],
) -> Result<(), PoolError> {
    let mut problems = Vec::new();
    for krate in crates {
        match registry.get(&krate.name) {
            None => problems.push(format!(
                "crate `{}` ({}) has no [[library]] entry",
                krate.name,
                krate.manifest_dir.display()
            )),
            Some(entry) if entry.version != krate.version => problems.push(format!(
                "library `{}` has version {} in registry.toml but {} in its Cargo.toml",
                krate.name, entry.version, krate.version
            )),
            Some(_) => {}
        }
    }
    for entry in &registry.library {
        if !crates.iter().any(|krate| krate.name == entry.name) {
            problems.push(format!(
                "library `{}` has no crate in pool-src (expected pool-src/libs/{}/Cargo.toml)",
                entry.name, entry.name
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(PoolError::Registry {
            path: registry_path.to_path_buf(),
            message: problems.join("; "),
        })
    }
}

/// Cross-library checks once every archive is packaged:
/// - a library must not use what another library keeps private (an error);
/// - a library that uses another's exports should list it in `dependencies`, except platform
///   libraries, which `--plat` selects (a warning: the linker selects libraries by it);
/// - two libraries available on a common platform should not export the same symbol (a
///   warning: they cannot link together);
/// - a Rust symbol that no library exports will fail every link (a warning).
fn check_imports(
    packaged: &[(&RegistryEntry, package::PackagedLibrary)],
) -> Result<Vec<String>, PoolError> {
    let mut private_owner: BTreeMap<&str, &str> = BTreeMap::new();
    let mut exporter: BTreeMap<&str, &RegistryEntry> = BTreeMap::new();
    let mut warnings = Vec::new();
    for (entry, library) in packaged {
        for symbol in &library.privatized {
            private_owner.insert(symbol.as_str(), entry.name.as_str());
        }
        for symbol in &library.exports {
            let previous = exporter.insert(symbol.as_str(), entry);
            // Platform libraries (plat_kvm, plat_linuxu, ...) export the same interface for
            // disjoint sets of platforms: they never meet in one image.
            if let Some(other) = previous.filter(|o| o.platforms.overlaps(&entry.platforms)) {
                warnings.push(format!(
                    "libraries {} and {} both export `{symbol}`",
                    other.name, entry.name
                ));
            }
        }
    }
    for (entry, library) in packaged {
        let mut undeclared: BTreeMap<&str, &str> = BTreeMap::new();
        for symbol in &library.imports {
            if let Some(owner) = exporter.get(symbol.as_str()) {
                let declared = owner.name == entry.name
                    || owner.kind == LibraryKind::Plat
                    || entry.dependencies.contains(&owner.name);
                if !declared {
                    undeclared
                        .entry(owner.name.as_str())
                        .or_insert(symbol.as_str());
                }
                continue;
            }
            if let Some(owner) = private_owner.get(symbol.as_str()) {
                return Err(PoolError::PrivateImport {
                    library: entry.name.clone(),
                    symbol: symbol.clone(),
                    owner: (*owner).to_string(),
                });
            }
            if symbol.starts_with("_R") || symbol.starts_with("_ZN") {
                warnings.push(format!(
                    "library {} uses Rust symbol `{symbol}`, which no pool library exports",
                    entry.name
                ));
            }
        }
        for (owner, symbol) in undeclared {
            warnings.push(format!(
                "library {} uses `{symbol}` (and maybe more) from {owner}, but registry.toml \
                 does not list {owner} in its dependencies",
                entry.name
            ));
        }
    }
    Ok(warnings)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), PoolError> {
    std::fs::write(path, bytes).map_err(|e| PoolError::io(path, "write", e))
}

/// Removes archives and metadata in `dir` that this build did not write (older versions).
fn remove_stale(dir: &Path, written: &BTreeSet<String>) -> Result<Vec<PathBuf>, PoolError> {
    let mut removed = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| PoolError::io(dir, "list", e))?;
    for entry in entries {
        let entry = entry.map_err(|e| PoolError::io(dir, "list", e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name.ends_with(".a") || name.ends_with(".toml");
        if ours && !written.contains(&name) {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(|e| PoolError::io(&path, "remove", e))?;
            removed.push(path);
        }
    }
    removed.sort();
    Ok(removed)
}

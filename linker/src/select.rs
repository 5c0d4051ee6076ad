//! Library selection: which prebuilt libraries go into an image, and why. The platform's
//! libraries and the ones named by the user come first; then every symbol the application or a
//! selected library needs pulls in the library that exports it, until nothing is missing. Every
//! decision is recorded so that links can be explained.

use crate::error::{LinkError, Result};
use crate::link_error;
use crate::pool::{self, LibraryMetadata, PoolIndex, Registry};
use object::{Object, ObjectSymbol};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

/// Why a library is in the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// The platform always links it.
    Platform(String),
    /// Named with `--lib`.
    Requested,
    /// Exports `symbol`, which `needed_by` (the application or a library) uses.
    Symbol { symbol: String, needed_by: String },
    /// Declared as a dependency of another library in the registry.
    Dependency { of: String },
    /// The default provider of `capability`, which `of` requires.
    Capability { capability: String, of: String },
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Why::Platform(p) => write!(f, "linked into every {p} image"),
            Why::Requested => write!(f, "requested with --lib"),
            Why::Symbol { symbol, needed_by } => {
                write!(f, "provides `{symbol}`, needed by {needed_by}")
            }
            Why::Dependency { of } => write!(f, "a declared dependency of {of}"),
            Why::Capability { capability, of } => {
                write!(f, "the default `{capability}`, which {of} requires")
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Selected {
    pub name: String,
    pub archive: PathBuf,
    pub why: Why,
}

/// The prebuilt pool of one architecture, loaded for linking (no compiler needed).
pub struct Pool {
    pub index: PoolIndex,
    pub registry: Registry,
    pub metadata: BTreeMap<String, LibraryMetadata>,
    /// Symbol → libraries exporting it.
    pub exporters: BTreeMap<String, Vec<String>>,
}

impl Pool {
    pub fn load(home: &Path, arch: &str) -> Result<Pool> {
        let dir = home.join("prebuilt").join(arch);
        let index = pool::load_index(&dir).map_err(|e| {
            link_error!("cannot load the prebuilt pool in `{}`: {e}", dir.display())
                .help("run `ukl pool build` to compile the pool, or restore prebuilt/ with git")
        })?;
        let registry = pool::load_registry(&home.join("registry.toml"))
            .map_err(|e| link_error!("cannot load registry.toml: {e}"))?;
        let mut metadata = BTreeMap::new();
        let mut exporters: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for entry in &index.library {
            let meta = index
                .load_metadata(entry)
                .map_err(|e| link_error!("prebuilt library `{}`: {e}", entry.name))?;
            for symbol in &meta.exports {
                exporters
                    .entry(symbol.clone())
                    .or_default()
                    .push(entry.name.clone());
            }
            metadata.insert(entry.name.clone(), meta);
        }
        Ok(Pool {
            index,
            registry,
            metadata,
            exporters,
        })
    }

    pub fn archive_path(&self, name: &str) -> Option<PathBuf> {
        self.index.get(name).map(|e| self.index.archive_path(e))
    }

    pub fn supports(&self, library: &str, platform: &str) -> bool {
        self.registry
            .get(library)
            .is_none_or(|r| r.platforms.supports(platform))
    }

    /// Checks an archive's sha256 against its metadata before it is linked.
    pub fn verify(&self, name: &str) -> Result<()> {
        let (Some(meta), Some(path)) = (self.metadata.get(name), self.archive_path(name)) else {
            return Err(link_error!("library `{name}` is not in the prebuilt pool"));
        };
        pool::verify_archive(meta, &path).map_err(|e| link_error!("{e}"))
    }
}

/// The global symbols an application's objects define and use.
#[derive(Debug, Default)]
pub struct AppSymbols {
    pub defined: BTreeSet<String>,
    /// Undefined, non-weak references (a weak reference never pulls a library in).
    pub undefined: BTreeSet<String>,
    /// Compiler identification strings from `.comment`.
    pub comments: Vec<String>,
}

pub fn read_app(objects: &[PathBuf]) -> Result<AppSymbols> {
    let mut app = AppSymbols::default();
    for path in objects {
        let data = std::fs::read(path)
            .map_err(|e| link_error!("cannot read application object `{}`: {e}", path.display()))?;
        let file = object::File::parse(&*data).map_err(|e| {
            link_error!("`{}` is not an ELF object: {e}", path.display())
                .help("pass the application as a relocatable object (`gcc -c ...`) or an archive")
        })?;
        if file.architecture() != object::Architecture::X86_64 {
            return Err(link_error!(
                "`{}` is for {:?}, but the pool is x86_64",
                path.display(),
                file.architecture()
            )
            .help("compile the application for x86_64"));
        }
        for symbol in file.symbols() {
            if !symbol.is_global() {
                continue;
            }
            let Ok(name) = symbol.name() else { continue };
            if symbol.is_undefined() {
                if !symbol.is_weak() {
                    app.undefined.insert(name.to_string());
                }
            } else {
                app.defined.insert(name.to_string());
            }
        }
        if let Some(section) = object::Object::section_by_name(&file, ".comment") {
            if let Ok(bytes) = object::ObjectSection::data(&section) {
                for part in bytes.split(|b| *b == 0).filter(|p| !p.is_empty()) {
                    app.comments
                        .push(String::from_utf8_lossy(part).into_owned());
                }
            }
        }
    }
    app.undefined.retain(|s| !app.defined.contains(s));
    Ok(app)
}

pub struct Selection {
    pub libraries: Vec<Selected>,
}

/// Selects the libraries for `platform`. `script_symbols` are defined by the link script or the
/// linker.
pub fn select(
    pool: &Pool,
    platform: &crate::platform::Platform,
    requested: &[String],
    app: &AppSymbols,
    script_symbols: &BTreeSet<String>,
) -> Result<Selection> {
    let mut chosen: Vec<Selected> = Vec::new();
    let mut queue: VecDeque<(String, Why)> = VecDeque::new();
    for lib in &platform.libraries {
        queue.push_back((lib.clone(), Why::Platform(platform.name.clone())));
    }
    for lib in requested {
        queue.push_back((lib.clone(), Why::Requested));
    }
    let mut errors: Vec<LinkError> = Vec::new();
    let mut pending: VecDeque<(String, String)> = app
        .undefined
        .iter()
        .map(|s| (s.clone(), "the application".to_string()))
        .collect();
    let mut provided: BTreeSet<String> = app.defined.clone();
    loop {
        while let Some((name, why)) = queue.pop_front() {
            if chosen.iter().any(|c| c.name == name) {
                continue;
            }
            let Some(meta) = pool.metadata.get(&name) else {
                let near = near_names(&name, pool.metadata.keys().map(String::as_str));
                let mut e = link_error!("library `{name}` is not in the pool");
                if !near.is_empty() {
                    e = e.note(format!("similar names: {}", near.join(", ")));
                }
                errors.push(e.help("see `ukl pool list` for the libraries the pool provides"));
                continue;
            };
            if !pool.supports(&name, &platform.name) {
                errors.push(
                    link_error!(
                        "library `{name}` is not available for platform `{}`",
                        platform.name
                    )
                    .note(format!("it was selected because it is {why}"))
                    .help(
                        "choose another library or platform; `ukl pool info` lists its platforms",
                    ),
                );
                continue;
            }
            let archive = pool.archive_path(&name).unwrap_or_default();
            for symbol in &meta.exports {
                provided.insert(symbol.clone());
            }
            for symbol in &meta.imports {
                pending.push_back((symbol.clone(), format!("library {name}")));
            }
            if let Some(entry) = pool.registry.get(&name) {
                for dependency in &entry.dependencies {
                    if pool.supports(dependency, &platform.name) {
                        queue.push_back((dependency.clone(), Why::Dependency { of: name.clone() }));
                    }
                }
            }
            chosen.push(Selected { name, archive, why });
        }
        // Capabilities: a required one that nothing chosen provides brings in its default.
        for (capability, of) in required_capabilities(pool, &chosen) {
            let providers: Vec<&Selected> = chosen
                .iter()
                .filter(|c| provides(pool, &c.name, &capability))
                .collect();
            if providers.is_empty() {
                match pool.registry.defaults.get(&capability) {
                    Some(default) => {
                        queue.push_back((default.clone(), Why::Capability { capability, of }))
                    }
                    None => errors.push(
                        link_error!("no library provides `{capability}`, which {of} requires")
                            .help(format!(
                                "add a library that provides `{capability}` with --lib"
                            )),
                    ),
                }
            }
        }
        if !queue.is_empty() {
            continue;
        }
        // Resolve what is still needed.
        let mut progressed = false;
        while let Some((symbol, needed_by)) = pending.pop_front() {
            if provided.contains(&symbol) || script_symbols.contains(&symbol) {
                continue;
            }
            let candidates: Vec<&String> = pool
                .exporters
                .get(&symbol)
                .map(|v| {
                    v.iter()
                        .filter(|l| pool.supports(l, &platform.name))
                        .collect()
                })
                .unwrap_or_default();
            match candidates.first() {
                Some(library) => {
                    queue.push_back((
                        (*library).clone(),
                        Why::Symbol {
                            symbol: symbol.clone(),
                            needed_by,
                        },
                    ));
                    progressed = true;
                    break;
                }
                None => errors.push(missing_symbol(pool, platform, &symbol, &needed_by)),
            }
        }
        if !progressed && queue.is_empty() {
            break;
        }
    }
    // Exactly one provider per capability.
    let mut capabilities: BTreeMap<String, Vec<&Selected>> = BTreeMap::new();
    for c in &chosen {
        for capability in pool
            .registry
            .get(&c.name)
            .map(|r| r.provides.clone())
            .unwrap_or_default()
        {
            capabilities.entry(capability).or_default().push(c);
        }
    }
    for (capability, providers) in capabilities {
        if providers.len() > 1 && exclusive(&capability) {
            let mut e = link_error!(
                "two libraries provide `{capability}`: {} and {}",
                providers[0].name,
                providers[1].name
            );
            for p in &providers {
                e = e.note(format!(
                    "{} is in the image because it is {}",
                    p.name, p.why
                ));
            }
            errors.push(e.help(format!(
                "keep one `{capability}`: drop the other from --lib or from uk.toml"
            )));
        }
    }
    if !errors.is_empty() {
        return Err(LinkError::combine(dedup(errors)));
    }
    Ok(Selection { libraries: chosen })
}

/// Capabilities of which an image holds exactly one implementation.
fn exclusive(capability: &str) -> bool {
    matches!(
        capability,
        "allocator" | "platform" | "arch" | "libc" | "scheduler" | "rust-runtime"
    )
}

fn provides(pool: &Pool, library: &str, capability: &str) -> bool {
    pool.registry
        .get(library)
        .is_some_and(|r| r.provides.iter().any(|p| p == capability))
}

fn required_capabilities(pool: &Pool, chosen: &[Selected]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in chosen {
        if let Some(entry) = pool.registry.get(&c.name) {
            for capability in &entry.requires {
                out.push((capability.clone(), format!("library {}", c.name)));
            }
        }
    }
    out
}

fn dedup(errors: Vec<LinkError>) -> Vec<LinkError> {
    let mut out: Vec<LinkError> = Vec::new();
    for e in errors {
        if !out.iter().any(|o| o.message == e.message) {
            out.push(e);
        }
    }
    out
}

/// An explanation of why no library provides `symbol`.
pub fn missing_symbol(
    pool: &Pool,
    platform: &crate::platform::Platform,
    symbol: &str,
    needed_by: &str,
) -> LinkError {
    let mut error =
        link_error!("undefined symbol `{symbol}`").note(format!("needed by {needed_by}"));
    if let Some(others) = pool.exporters.get(symbol) {
        for lib in others {
            let platforms = pool
                .registry
                .get(lib)
                .map(|r| format!("{:?}", r.platforms))
                .unwrap_or_default();
            error = error.note(format!(
                "library `{lib}` provides it, but not for platform `{}` (platforms: {platforms})",
                platform.name
            ));
        }
        return error.help(
            "link for a platform that library supports, or provide the symbol in the application",
        );
    }
    if symbol == "main" {
        return error.help("the application must define `int main(int argc, char **argv)`");
    }
    let near = near_names(symbol, pool.exporters.keys().map(String::as_str));
    if !near.is_empty() {
        error = error.note(format!("similar symbols in the pool: {}", near.join(", ")));
    }
    error.help("no library in the pool provides it: define it in the application, or add a library that exports it")
}

/// Names within a small edit distance of `name` (at most 3, closest first).
pub fn near_names<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let limit = (name.len() / 3).clamp(1, 3);
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|c| {
            let d = edit_distance(name, c);
            (d <= limit || (c.contains(name) && name.len() >= 4)).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > 3 {
        return usize::MAX;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

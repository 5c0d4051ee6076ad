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

/// Who needs a symbol.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Needer {
    /// The application, through one of its objects (the first that references the symbol).
    Application { object: String },
    /// A selected library.
    Library { name: String },
}

impl std::fmt::Display for Needer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Needer::Application { object } if object.is_empty() => write!(f, "the application"),
            Needer::Application { object } => write!(f, "the application ({object})"),
            Needer::Library { name } => write!(f, "library {name}"),
        }
    }
}

/// Why a library is in the image.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Why {
    /// The platform always links it.
    Platform { platform: String },
    /// Named by the user; `source` is `--lib` or the manifest's path.
    Requested { source: String },
    /// Exports `symbol`, which `needed_by` uses.
    Symbol { symbol: String, needed_by: Needer },
    /// Declared as a dependency of library `of` in the registry.
    Dependency { of: String },
    /// The registry's default provider of `capability`, which library `of` requires.
    Capability { capability: String, of: String },
}

impl Why {
    /// The library this decision came from, if any (the next link of a chain).
    pub fn parent(&self) -> Option<&str> {
        match self {
            Why::Symbol {
                needed_by: Needer::Library { name },
                ..
            } => Some(name),
            Why::Dependency { of } | Why::Capability { of, .. } => Some(of),
            _ => None,
        }
    }
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Why::Platform { platform } => write!(f, "linked into every {platform} image"),
            Why::Requested { source } => write!(f, "requested with {source}"),
            Why::Symbol { symbol, needed_by } => {
                write!(f, "provides `{symbol}`, needed by {needed_by}")
            }
            Why::Dependency { of } => write!(f, "a declared dependency of {of}"),
            Why::Capability { capability, of } => write!(
                f,
                "the default `{capability}` (registry.toml [defaults]), which {of} requires"
            ),
        }
    }
}

/// A library named by the user: `NAME` or `NAME@VERSION` (`@0.1` means 0.1.x, `@=0.1.0`
/// exactly, `@>=0.2` that or newer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub name: String,
    pub version: Option<String>,
    /// `--lib` or the manifest's path.
    pub source: String,
}

impl Request {
    pub fn parse(text: &str, source: &str) -> Request {
        let (name, version) = match text.split_once('@') {
            Some((name, version)) => (name, Some(version.trim().to_string())),
            None => (text, None),
        };
        Request {
            name: name.trim().to_string(),
            version,
            source: source.to_string(),
        }
    }
}

/// Does `version` (`X.Y.Z`) satisfy `requirement` (`=X.Y.Z`, `>=X.Y`, or `X.Y` meaning the same
/// leading numbers)?
pub fn version_matches(version: &str, requirement: &str) -> bool {
    let numbers = |text: &str| -> Vec<u64> {
        text.split('.')
            .map(|part| part.trim().parse().unwrap_or(0))
            .collect()
    };
    let have = numbers(version);
    if let Some(minimum) = requirement.strip_prefix(">=") {
        let want = numbers(minimum);
        let len = have.len().max(want.len());
        let pad = |v: &[u64]| {
            (0..len)
                .map(|i| v.get(i).copied().unwrap_or(0))
                .collect::<Vec<_>>()
        };
        return pad(&have) >= pad(&want);
    }
    let want = numbers(requirement.trim_start_matches('='));
    want.iter()
        .enumerate()
        .all(|(i, n)| have.get(i).copied().unwrap_or(0) == *n)
}

#[derive(Debug, Clone, serde::Serialize)]
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
        for entry in &registry.library {
            crate::options::declared(entry)?;
        }
        let mut metadata = BTreeMap::new();
        let mut exporters: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for entry in &index.library {
            let meta = index
                .load_metadata(entry)
                .map_err(|e| link_error!("prebuilt library `{}`: {e}", entry.name))?;
            check_drift(&registry, &index, entry, &meta)?;
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

    /// "all platforms" or "platforms xen, kvm".
    pub fn platforms_of(&self, library: &str) -> String {
        match self.registry.get(library).map(|r| &r.platforms) {
            Some(pool::Platforms::Only(list)) => format!("only {}", list.join(", ")),
            _ => "all platforms".to_string(),
        }
    }

    /// Libraries that provide `capability`, the registry's default first.
    pub fn providers(&self, capability: &str) -> Vec<String> {
        let defaults = self
            .registry
            .defaults
            .get(capability)
            .map(|d| d.names())
            .unwrap_or_default();
        let mut names: Vec<String> = self
            .registry
            .library
            .iter()
            .filter(|l| l.provides.iter().any(|p| p == capability))
            .map(|l| l.name.clone())
            .collect();
        names.sort_by_key(|n| {
            defaults
                .iter()
                .position(|d| d == n)
                .unwrap_or(defaults.len())
        });
        names
    }

    /// Checks an archive's sha256 against its metadata before it is linked (its version and
    /// exports were checked by [`Pool::load`]).
    pub fn verify(&self, name: &str) -> Result<()> {
        let (Some(meta), Some(path)) = (self.metadata.get(name), self.archive_path(name)) else {
            return Err(link_error!("library `{name}` is not in the prebuilt pool")
                .help("run `ukl pool build` to build it, or restore prebuilt/ with git"));
        };
        pool::verify_archive(meta, &path).map_err(|e| link_error!("{e}"))
    }
}

/// Fails if the pool's descriptions no longer match its archives: registry.toml names a version
/// other than the one prebuilt/ holds, or the metadata's exports are not the symbols the
/// archive defines (its symbol index: a few KiB read per library, no hashing).
fn check_drift(
    registry: &pool::Registry,
    index: &pool::PoolIndex,
    entry: &pool::IndexEntry,
    meta: &pool::LibraryMetadata,
) -> Result<()> {
    let name = &entry.name;
    if let Some(registered) = registry.get(name) {
        if registered.version != entry.version {
            return Err(link_error!(
                "library `{name}`: registry.toml says version {}, but {} holds version {}",
                registered.version,
                index.dir.display(),
                entry.version
            )
            .help("run `ukl pool build` to rebuild prebuilt/ from pool-src (or restore registry.toml)"));
        }
    }
    pool::verify_exports(meta, &index.archive_path(entry)).map_err(|e| {
        link_error!("{e}").help(
            "the metadata no longer describes the archive: run `ukl pool build` (or restore \
             prebuilt/ with git)",
        )
    })
}

/// The global symbols an application's objects define and use.
#[derive(Debug, Default)]
pub struct AppSymbols {
    pub defined: BTreeSet<String>,
    /// Undefined, non-weak references (a weak reference never pulls a library in).
    pub undefined: BTreeSet<String>,
    /// For each undefined symbol, the file name of the first object that references it.
    pub users: BTreeMap<String, String>,
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
                    let object = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    app.users.entry(name.to_string()).or_insert(object);
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
    let undefined = &app.undefined;
    app.users.retain(|s, _| undefined.contains(s));
    Ok(app)
}

/// The outcome of selection: the libraries, in the order they were chosen.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub libraries: Vec<Selected>,
}

impl Selection {
    pub fn get(&self, name: &str) -> Option<&Selected> {
        self.libraries.iter().find(|l| l.name == name)
    }

    /// The decisions that brought `library` in, from it up to what started them (the
    /// application, the platform or the user): each element's `why` names the next one.
    pub fn chain(&self, library: &str) -> Vec<&Selected> {
        let mut chain: Vec<&Selected> = Vec::new();
        let mut next = self.get(library);
        while let Some(selected) = next {
            if chain.iter().any(|c| c.name == selected.name) {
                break;
            }
            chain.push(selected);
            next = selected.why.parent().and_then(|p| self.get(p));
        }
        chain
    }
}

/// Selects the libraries for `platform`. `script_symbols` are defined by the link script.
/// Every problem found is reported, each with its explanation.
pub fn select(
    pool: &Pool,
    platform: &crate::platform::Platform,
    requests: &[Request],
    app: &AppSymbols,
    script_symbols: &BTreeSet<String>,
) -> Result<Selection> {
    let (selection, errors) = select_all(pool, platform, requests, app, script_symbols);
    if errors.is_empty() {
        Ok(selection)
    } else {
        Err(LinkError::combine(errors))
    }
}

/// Like [`select`], but returns what could be selected together with every problem (for
/// `ukl why` and `ukl check`).
pub fn select_all(
    pool: &Pool,
    platform: &crate::platform::Platform,
    requests: &[Request],
    app: &AppSymbols,
    script_symbols: &BTreeSet<String>,
) -> (Selection, Vec<LinkError>) {
    let mut selector = Selector {
        pool,
        platform,
        chosen: Vec::new(),
        errors: Vec::new(),
        provided: app.defined.iter().chain(script_symbols).cloned().collect(),
        pending: app
            .undefined
            .iter()
            .map(|s| {
                let object = app.users.get(s).cloned().unwrap_or_default();
                (s.clone(), Needer::Application { object })
            })
            .collect(),
        queue: VecDeque::new(),
        defaulted: BTreeSet::new(),
    };
    for lib in &platform.libraries {
        let why = Why::Platform {
            platform: platform.name.clone(),
        };
        selector.queue.push_back((lib.clone(), why, None));
    }
    for request in requests {
        let why = Why::Requested {
            source: request.source.clone(),
        };
        selector
            .queue
            .push_back((request.name.clone(), why, request.version.clone()));
    }
    loop {
        while let Some((name, why, version)) = selector.queue.pop_front() {
            selector.add(name, why, version);
        }
        // Symbols before capability defaults: a library that the application uses by name
        // (say allocregion's uk_allocregion_init) fills the capability itself.
        if selector.resolve_one_symbol() || selector.add_capability_defaults() {
            continue;
        }
        break;
    }
    let Selector {
        chosen, mut errors, ..
    } = selector;
    // Safety net: exactly one provider per exclusive capability.
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
            errors.push(two_providers(
                &capability,
                providers[0],
                &providers[1].name,
                &providers[1].why,
            ));
        }
    }
    (Selection { libraries: chosen }, dedup(errors))
}

/// Selection in progress.
struct Selector<'a> {
    pool: &'a Pool,
    platform: &'a crate::platform::Platform,
    chosen: Vec<Selected>,
    errors: Vec<LinkError>,
    /// Symbols defined by the application, the link script or a chosen library.
    provided: BTreeSet<String>,
    /// Symbols still to be found, and who needs them.
    pending: VecDeque<(String, Needer)>,
    /// Libraries to add: name, why, version requirement.
    queue: VecDeque<(String, Why, Option<String>)>,
    /// Capabilities whose default was already tried (each is tried once).
    defaulted: BTreeSet<String>,
}

impl Selector<'_> {
    fn add(&mut self, name: String, why: Why, version: Option<String>) {
        let pool = self.pool;
        if let Some(existing) = self.chosen.iter().find(|c| c.name == name) {
            if let Some(requirement) = &version {
                let have = pool
                    .metadata
                    .get(&name)
                    .map(|m| m.version.as_str())
                    .unwrap_or("");
                if !version_matches(have, requirement) {
                    self.errors
                        .push(version_error(&name, have, requirement, &why));
                }
            }
            let _ = existing;
            return;
        }
        let Some(meta) = pool.metadata.get(&name) else {
            let near = near_names(&name, pool.metadata.keys().map(String::as_str));
            let mut e = link_error!("library `{name}` is not in the pool")
                .note(format!("it was asked for because it is {why}"));
            if !near.is_empty() {
                e = e.note(format!("similar names: {}", near.join(", ")));
            }
            self.errors
                .push(e.help("see `ukl pool list` for the libraries the pool provides"));
            return;
        };
        if let Some(requirement) = &version {
            if !version_matches(&meta.version, requirement) {
                self.errors
                    .push(version_error(&name, &meta.version, requirement, &why));
                return;
            }
        }
        if !pool.supports(&name, &self.platform.name) {
            self.errors.push(
                link_error!(
                    "library `{name}` is not available for platform `{}`",
                    self.platform.name
                )
                .note(format!("it was selected because it is {why}"))
                .note(format!("{name} supports {}", pool.platforms_of(&name)))
                .help(format!(
                    "link for one of those platforms (--plat), or leave `{name}` out of this \
                     image"
                )),
            );
            return;
        }
        if let Some((other, reason)) = conflict(pool, &self.chosen, &name) {
            let error = match &why {
                Why::Symbol { symbol, needed_by } => link_error!("undefined symbol `{symbol}`")
                    .note(format!("needed by {needed_by}"))
                    .note(format!(
                        "library `{name}` provides it, but cannot be in this image: {reason}"
                    ))
                    .note(format!(
                        "{} is in the image because it is {}",
                        other.name, other.why
                    ))
                    .help(replace_help(other, &name)),
                _ => match exclusive_shared(pool, &other.name, &name) {
                    Some(capability) => two_providers(&capability, other, &name, &why),
                    None => link_error!("libraries `{}` and `{name}` conflict", other.name)
                        .note(reason)
                        .note(format!(
                            "{} is in the image because it is {}",
                            other.name, other.why
                        ))
                        .note(format!("{name} is in the image because it is {why}"))
                        .help(format!("keep only one of `{}` and `{name}`", other.name)),
                },
            };
            self.errors.push(error);
            return;
        }
        self.provided.extend(meta.exports.iter().cloned());
        for symbol in &meta.imports {
            self.pending
                .push_back((symbol.clone(), Needer::Library { name: name.clone() }));
        }
        if let Some(entry) = pool.registry.get(&name) {
            for dependency in &entry.dependencies {
                if pool.supports(dependency, &self.platform.name) {
                    let why = Why::Dependency { of: name.clone() };
                    self.queue.push_back((dependency.clone(), why, None));
                }
            }
        }
        let archive = pool.archive_path(&name).unwrap_or_default();
        self.chosen.push(Selected { name, archive, why });
    }

    /// Queues the library for the next symbol still missing; false when none is left.
    fn resolve_one_symbol(&mut self) -> bool {
        while let Some((symbol, needed_by)) = self.pending.pop_front() {
            if self.provided.contains(&symbol) {
                continue;
            }
            let candidates: Vec<&String> = self
                .pool
                .exporters
                .get(&symbol)
                .map(|v| {
                    v.iter()
                        .filter(|l| self.pool.supports(l, &self.platform.name))
                        .collect()
                })
                .unwrap_or_default();
            let choice = candidates
                .iter()
                .find(|l| conflict(self.pool, &self.chosen, l).is_none())
                .or(candidates.first());
            match choice {
                Some(library) => {
                    let why = Why::Symbol {
                        symbol: symbol.clone(),
                        needed_by,
                    };
                    self.queue.push_back(((*library).clone(), why, None));
                    return true;
                }
                None => self.errors.push(missing_symbol(
                    self.pool,
                    self.platform,
                    &self.chosen,
                    &symbol,
                    Some(&needed_by),
                )),
            }
        }
        false
    }

    /// Queues the registry's default for each required capability that nothing chosen
    /// provides; false when nothing was queued.
    fn add_capability_defaults(&mut self) -> bool {
        let mut queued = false;
        for (capability, of) in required_capabilities(self.pool, &self.chosen) {
            if self
                .chosen
                .iter()
                .any(|c| provides(self.pool, &c.name, &capability))
                || self
                    .queue
                    .iter()
                    .any(|(n, _, _)| provides(self.pool, n, &capability))
            {
                continue;
            }
            if !self.defaulted.insert(capability.clone()) {
                // The default was tried and refused (its error is recorded): no retry.
                continue;
            }
            // The registry's default for this platform, or else the one provider available on
            // it.
            let platform = &self.platform.name;
            let default = self
                .pool
                .registry
                .default_for(&capability, platform)
                .cloned()
                .or_else(|| {
                    let available: Vec<String> = self
                        .pool
                        .providers(&capability)
                        .into_iter()
                        .filter(|p| self.pool.supports(p, platform))
                        .collect();
                    (available.len() == 1).then(|| available[0].clone())
                });
            match default {
                Some(default) => {
                    let why = Why::Capability { capability, of };
                    self.queue.push_back((default, why, None));
                    queued = true;
                }
                None => {
                    let providers = self.pool.providers(&capability);
                    let mut e = link_error!(
                        "no library provides `{capability}` for platform `{platform}`, which {of} requires"
                    );
                    if !providers.is_empty() {
                        let described: Vec<String> = providers
                            .iter()
                            .map(|p| match self.pool.registry.get(p) {
                                Some(entry) => {
                                    format!("{p} ({})", platforms_text(&entry.platforms))
                                }
                                None => p.clone(),
                            })
                            .collect();
                        e = e.note(format!(
                            "libraries that provide it: {}",
                            described.join(", ")
                        ));
                    }
                    self.errors.push(e.help(format!(
                        "add a library that provides `{capability}` on `{platform}` with --lib or in uk.toml, or link for a platform one of them supports"
                    )));
                }
            }
        }
        queued
    }
}

fn version_error(name: &str, have: &str, requirement: &str, why: &Why) -> LinkError {
    link_error!("library `{name}` {have} does not satisfy the requirement `{name}@{requirement}`")
        .note(format!("the requirement was {why}"))
        .note(format!("the pool has {name} {have} only"))
        .help(format!(
            "change the requirement to `{name}@{have}`, or publish {name} {requirement} in the \
             pool (`ukl pool build`)"
        ))
}

/// Two libraries of one exclusive capability: which two, and why each is here.
fn two_providers(capability: &str, first: &Selected, second: &str, second_why: &Why) -> LinkError {
    let help = match (&first.why, second_why) {
        (Why::Requested { source: a }, Why::Requested { source: b }) => format!(
            "an image holds one `{capability}`: keep either `{}` ({a}) or `{second}` ({b})",
            first.name
        ),
        (_, Why::Requested { source }) => format!(
            "`{}` is needed as shown above; drop `{second}` from {source}",
            first.name
        ),
        (Why::Requested { source }, _) => format!(
            "`{second}` is needed as shown above; drop `{}` from {source}",
            first.name
        ),
        _ => format!(
            "an image holds one `{capability}`: stop using one of `{}` and `{second}`",
            first.name
        ),
    };
    link_error!(
        "two libraries provide `{capability}`: {} and {second}",
        first.name
    )
    .note(format!(
        "{} is in the image because it is {}",
        first.name, first.why
    ))
    .note(format!(
        "{second} is in the image because it is {second_why}"
    ))
    .help(help)
}

/// What to do when `wanted` cannot come in because `present` is there.
fn replace_help(present: &Selected, wanted: &str) -> String {
    match &present.why {
        Why::Requested { source } => format!(
            "drop `{}` from {source} to use `{wanted}`, or stop using `{wanted}`'s symbols",
            present.name
        ),
        _ => format!(
            "name `{wanted}` with --lib (or in uk.toml) to use it instead of `{}`",
            present.name
        ),
    }
}

/// An exclusive capability that both libraries provide.
fn exclusive_shared(pool: &Pool, a: &str, b: &str) -> Option<String> {
    let a = pool.registry.get(a)?;
    let b = pool.registry.get(b)?;
    a.provides
        .iter()
        .find(|c| exclusive(c) && b.provides.contains(c))
        .cloned()
}

/// A chosen library that `name` cannot be linked with, and why.
pub fn conflict<'s>(
    pool: &Pool,
    chosen: &'s [Selected],
    name: &str,
) -> Option<(&'s Selected, String)> {
    let entry = pool.registry.get(name);
    for other in chosen.iter().filter(|c| c.name != name) {
        let declared = entry.is_some_and(|e| e.conflicts.contains(&other.name))
            || pool
                .registry
                .get(&other.name)
                .is_some_and(|o| o.conflicts.iter().any(|c| c == name));
        if declared {
            return Some((
                other,
                format!(
                    "registry.toml declares that `{name}` and `{}` conflict",
                    other.name
                ),
            ));
        }
        if let Some(capability) = exclusive_shared(pool, &other.name, name) {
            return Some((
                other,
                format!(
                    "`{}` already provides `{capability}`, and an image holds one `{capability}`",
                    other.name
                ),
            ));
        }
    }
    None
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

/// (capability, library that requires it) for every chosen library.
fn required_capabilities(pool: &Pool, chosen: &[Selected]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in chosen {
        if let Some(entry) = pool.registry.get(&c.name) {
            for capability in &entry.requires {
                out.push((capability.clone(), c.name.clone()));
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

/// An explanation of why no library of this link provides `symbol`: no library exports it
/// (with near names), or one does but not for this platform, or one does but a conflict with a
/// chosen library keeps it out.
pub fn missing_symbol(
    pool: &Pool,
    platform: &crate::platform::Platform,
    chosen: &[Selected],
    symbol: &str,
    needed_by: Option<&Needer>,
) -> LinkError {
    let mut error = link_error!("undefined symbol `{symbol}`");
    if let Some(needed_by) = needed_by {
        error = error.note(format!("needed by {needed_by}"));
    }
    if let Some(exporters) = pool.exporters.get(symbol) {
        let mut help = None;
        for lib in exporters {
            if !pool.supports(lib, &platform.name) {
                error = error.note(format!(
                    "library `{lib}` provides it, but not for platform `{}` ({lib} supports {})",
                    platform.name,
                    pool.platforms_of(lib)
                ));
                help.get_or_insert_with(|| {
                    format!(
                        "link for a platform that {lib} supports (--plat), or stop using \
                         `{symbol}` on {}",
                        platform.name
                    )
                });
            } else if let Some((other, reason)) = conflict(pool, chosen, lib) {
                error = error
                    .note(format!(
                        "library `{lib}` provides it, but cannot be in this image: {reason}"
                    ))
                    .note(format!(
                        "{} is in the image because it is {}",
                        other.name, other.why
                    ));
                help.get_or_insert_with(|| replace_help(other, lib));
            }
        }
        return error.help(help.unwrap_or_else(|| {
            "provide the symbol in the application, or add a library that exports it".into()
        }));
    }
    if symbol == "main" {
        return error.help("the application must define `int main(int argc, char **argv)`");
    }
    let near = near_names(symbol, pool.exporters.keys().map(String::as_str));
    if !near.is_empty() {
        let described: Vec<String> = near
            .iter()
            .map(|n| {
                let libs = pool.exporters.get(n).cloned().unwrap_or_default();
                format!("`{n}` ({})", libs.join(", "))
            })
            .collect();
        error = error.note(format!(
            "similar symbols in the pool: {}",
            described.join(", ")
        ));
    }
    error.help(
        "no library in the pool provides it: define it in the application, or add a library \
         that exports it",
    )
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

/// A library's platforms for messages: "all platforms" or "kvm, xen".
fn platforms_text(platforms: &crate::pool::Platforms) -> String {
    match platforms {
        crate::pool::Platforms::All => "all platforms".to_string(),
        crate::pool::Platforms::Only(list) => list.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_versions() {
        let plain = Request::parse("allocregion", "--lib");
        assert_eq!((plain.name.as_str(), plain.version), ("allocregion", None));
        let pinned = Request::parse("allocregion@0.1", "uk.toml");
        assert_eq!(pinned.version.as_deref(), Some("0.1"));
        assert_eq!(pinned.source, "uk.toml");
        assert!(version_matches("0.1.0", "0.1"));
        assert!(version_matches("0.1.3", "0"));
        assert!(!version_matches("0.1.0", "0.2"));
        assert!(version_matches("0.1.0", "=0.1.0"));
        assert!(!version_matches("0.1.1", "=0.1.0"));
        assert!(version_matches("0.3.0", ">=0.2"));
        assert!(version_matches("0.2", ">=0.2.0"));
        assert!(!version_matches("0.1.9", ">=0.2"));
    }

    #[test]
    fn near_names_are_close_first() {
        let names = ["uk_malloc", "uk_calloc", "uk_free", "memcpy"];
        assert_eq!(
            near_names("uk_mallc", names.iter().copied()),
            ["uk_malloc", "uk_calloc"]
        );
        assert!(near_names("zzzzzz", names.iter().copied()).is_empty());
    }

    #[test]
    fn chains_follow_parents() {
        let selected = |name: &str, why: Why| Selected {
            name: name.into(),
            archive: PathBuf::new(),
            why,
        };
        let selection = Selection {
            libraries: vec![
                selected(
                    "nolibc",
                    Why::Symbol {
                        symbol: "printf".into(),
                        needed_by: Needer::Application {
                            object: "main.o".into(),
                        },
                    },
                ),
                selected(
                    "ukalloc",
                    Why::Symbol {
                        symbol: "uk_malloc".into(),
                        needed_by: Needer::Library {
                            name: "nolibc".into(),
                        },
                    },
                ),
                selected(
                    "allocbuddy",
                    Why::Capability {
                        capability: "allocator".into(),
                        of: "ukalloc".into(),
                    },
                ),
            ],
        };
        let names: Vec<&str> = selection
            .chain("allocbuddy")
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["allocbuddy", "ukalloc", "nolibc"]);
        assert!(selection.chain("absent").is_empty());
    }
}

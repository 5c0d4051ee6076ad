//! `ukl pool list` and `ukl pool info LIBRARY`: what the prebuilt pool offers — libraries,
//! versions, kinds, platforms, capabilities, dependencies, options, exports and the archive
//! member that defines each export.

use crate::error::Result;
use crate::link_error;
use crate::options::{self, OptionSpec};
use crate::select::{near_names, Pool};
use serde::Serialize;
use std::fmt::Write as _;

/// One line of `ukl pool list`.
#[derive(Debug, Clone, Serialize)]
pub struct ListEntry {
    pub name: String,
    pub version: String,
    pub kind: String,
    pub platforms: String,
    pub provides: Vec<String>,
    pub description: String,
}

/// Everything about one library.
#[derive(Debug, Clone, Serialize)]
pub struct LibraryInfo {
    pub name: String,
    pub version: String,
    pub kind: String,
    pub description: String,
    pub archive: String,
    pub sha256: String,
    pub platforms: String,
    pub provides: Vec<String>,
    /// Capabilities of which this library is the registry's default.
    pub default_for: Vec<String>,
    pub requires: Vec<String>,
    pub dependencies: Vec<String>,
    pub conflicts: Vec<String>,
    pub text_bytes: u64,
    pub data_bytes: u64,
    pub bss_bytes: u64,
    pub options: Vec<OptionSpec>,
    /// (symbol, member) pairs.
    pub exports: Vec<(String, String)>,
    pub imports: Vec<String>,
    /// What the library defines but keeps to itself (localized or renamed by the pool build).
    pub private: Vec<String>,
}

fn kind_name(kind: crate::pool::LibraryKind) -> String {
    format!("{kind:?}").to_lowercase()
}

fn platform_words(pool: &Pool, library: &str) -> String {
    match pool.registry.get(library).map(|r| &r.platforms) {
        Some(crate::pool::Platforms::Only(list)) => list.join(","),
        _ => "all".to_string(),
    }
}

pub fn list(pool: &Pool) -> Vec<ListEntry> {
    pool.index
        .library
        .iter()
        .map(|entry| {
            let registry = pool.registry.get(&entry.name);
            ListEntry {
                name: entry.name.clone(),
                version: entry.version.clone(),
                kind: kind_name(entry.kind),
                platforms: platform_words(pool, &entry.name),
                provides: registry.map(|r| r.provides.clone()).unwrap_or_default(),
                description: registry.map(|r| r.description.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

pub fn render_list(pool: &Pool, entries: &[ListEntry]) -> String {
    let mut out = format!(
        "{:<14} {:<8} {:<8} {:<10} {:<22} DESCRIPTION\n",
        "NAME", "VERSION", "KIND", "PLATFORMS", "PROVIDES"
    );
    for e in entries {
        let provides: Vec<String> = e
            .provides
            .iter()
            .map(|c| {
                if pool
                    .registry
                    .defaults
                    .get(c)
                    .is_some_and(|d| d.names_library(&e.name))
                {
                    format!("{c} (default)")
                } else {
                    c.clone()
                }
            })
            .collect();
        let _ = writeln!(
            out,
            "{:<14} {:<8} {:<8} {:<10} {:<22} {}",
            e.name,
            e.version,
            e.kind,
            e.platforms,
            if provides.is_empty() {
                "-".to_string()
            } else {
                provides.join(", ")
            },
            e.description
        );
    }
    out
}

pub fn info(pool: &Pool, library: &str) -> Result<LibraryInfo> {
    let Some(meta) = pool.metadata.get(library) else {
        let near = near_names(library, pool.metadata.keys().map(String::as_str));
        let mut error = link_error!("library `{library}` is not in the pool");
        if !near.is_empty() {
            error = error.note(format!("similar names: {}", near.join(", ")));
        }
        return Err(error.help("see `ukl pool list` for the libraries the pool provides"));
    };
    let registry = pool.registry.get(library);
    let options = match registry {
        Some(entry) => options::declared(entry)?,
        None => Vec::new(),
    };
    Ok(LibraryInfo {
        name: meta.name.clone(),
        version: meta.version.clone(),
        kind: kind_name(meta.kind),
        description: registry.map(|r| r.description.clone()).unwrap_or_default(),
        archive: pool
            .archive_path(library)
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        sha256: meta.sha256.clone(),
        platforms: platform_words(pool, library),
        provides: registry.map(|r| r.provides.clone()).unwrap_or_default(),
        default_for: pool
            .registry
            .defaults
            .iter()
            .filter(|(_, d)| d.names_library(library))
            .map(|(c, _)| c.clone())
            .collect(),
        requires: registry.map(|r| r.requires.clone()).unwrap_or_default(),
        dependencies: registry.map(|r| r.dependencies.clone()).unwrap_or_default(),
        conflicts: registry.map(|r| r.conflicts.clone()).unwrap_or_default(),
        text_bytes: meta.size.text,
        data_bytes: meta.size.data,
        bss_bytes: meta.size.bss,
        options,
        exports: meta
            .exports
            .iter()
            .map(|s| {
                (
                    s.clone(),
                    meta.export_members.get(s).cloned().unwrap_or_default(),
                )
            })
            .collect(),
        imports: meta.imports.clone(),
        private: meta.private.clone(),
    })
}

/// How many exports and imports `render_info` shows unless asked for all.
const SHOWN: usize = 24;

pub fn render_info(info: &LibraryInfo, all: bool) -> String {
    let mut out = String::new();
    let list = |items: &[String]| {
        if items.is_empty() {
            "-".to_string()
        } else {
            items.join(", ")
        }
    };
    let _ = writeln!(out, "{} {} ({})", info.name, info.version, info.kind);
    let _ = writeln!(out, "  {}", info.description);
    let _ = writeln!(out, "archive:      {}", info.archive);
    let _ = writeln!(out, "sha256:       {}", info.sha256);
    let _ = writeln!(out, "platforms:    {}", info.platforms);
    let mut provides = list(&info.provides);
    if !info.default_for.is_empty() {
        provides.push_str(&format!(
            " (the default for {})",
            info.default_for.join(", ")
        ));
    }
    let _ = writeln!(out, "provides:     {provides}");
    let _ = writeln!(out, "requires:     {}", list(&info.requires));
    let _ = writeln!(out, "dependencies: {}", list(&info.dependencies));
    let _ = writeln!(out, "conflicts:    {}", list(&info.conflicts));
    let _ = writeln!(
        out,
        "size:         text {} bytes, data {} bytes, bss {} bytes",
        info.text_bytes, info.data_bytes, info.bss_bytes
    );
    if info.options.is_empty() {
        let _ = writeln!(out, "options:      -");
    } else {
        let _ = writeln!(out, "options:");
        for o in &info.options {
            let mut range = String::new();
            if let (Some(a), Some(b)) = (o.min, o.max) {
                range = format!(", {a}..={b}");
            }
            let _ = writeln!(
                out,
                "  {}.{} ({}, default {}{range}): {}",
                o.library, o.name, o.kind, o.default, o.description
            );
        }
    }
    let _ = writeln!(out, "exports ({}):", info.exports.len());
    let shown = if all { info.exports.len() } else { SHOWN };
    for (symbol, member) in info.exports.iter().take(shown) {
        let _ = writeln!(out, "  {symbol}  ({member})");
    }
    if info.exports.len() > shown {
        let _ = writeln!(out, "  ... and {} more (--all)", info.exports.len() - shown);
    }
    let _ = writeln!(out, "imports ({}):", info.imports.len());
    let shown = if all { info.imports.len() } else { SHOWN };
    for symbol in info.imports.iter().take(shown) {
        let _ = writeln!(out, "  {symbol}");
    }
    if info.imports.len() > shown {
        let _ = writeln!(out, "  ... and {} more (--all)", info.imports.len() - shown);
    }
    let _ = writeln!(
        out,
        "private ({}, defined here and invisible to every other library and the program):",
        info.private.len()
    );
    let shown = if all { info.private.len() } else { SHOWN };
    for symbol in info.private.iter().take(shown) {
        let _ = writeln!(out, "  {symbol}");
    }
    if info.private.len() > shown {
        let _ = writeln!(out, "  ... and {} more (--all)", info.private.len() - shown);
    }
    out
}

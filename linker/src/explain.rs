//! `ukl why`: explanations of selection decisions. For a library: the chain of decisions from
//! it up to the application symbol (or platform, or user request) that pulled it in. For a
//! symbol: the library and archive member that define it, who uses it, and the chain of its
//! library; for a symbol no library of the link provides, the reason (see
//! [`crate::select::missing_symbol`]).

use crate::error::{LinkError, Result};
use crate::select::{missing_symbol, near_names, Needer, Pool, Selection, Why};
use crate::unikernel::{self, UnikernelOptions};
use serde::Serialize;
use std::fmt::Write as _;

/// One decision of a chain: `library` is in the image because of `why`.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub library: String,
    pub why: Why,
    /// `why` in words.
    pub reason: String,
}

/// Why a library is (or is not) in an image.
#[derive(Debug, Clone, Serialize)]
pub struct LibraryExplanation {
    pub library: String,
    pub version: String,
    pub platform: String,
    pub in_image: bool,
    /// From the library up to what started it.
    pub chain: Vec<Step>,
    /// When it is not in the image: why not, and what would bring it in.
    pub absent: Option<String>,
}

/// A library that defines a symbol.
#[derive(Debug, Clone, Serialize)]
pub struct Definition {
    pub library: String,
    pub version: String,
    /// The archive member (object file) that defines it.
    pub member: Option<String>,
    pub platforms: String,
    pub in_image: bool,
}

/// Where a symbol comes from and why it is linked.
#[derive(Debug, Clone, Serialize)]
pub struct SymbolExplanation {
    pub symbol: String,
    pub platform: String,
    pub defined_by_application: bool,
    pub definitions: Vec<Definition>,
    /// Who references it in this link (with an application), or which pool libraries import
    /// it (without).
    pub used_by: Vec<String>,
    /// The chain of the defining library, when it is in the image.
    pub chain: Vec<Step>,
}

/// What `ukl why` found.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Explanation {
    Library(LibraryExplanation),
    Symbol(SymbolExplanation),
}

fn steps(selection: &Selection, library: &str) -> Vec<Step> {
    selection
        .chain(library)
        .into_iter()
        .map(|s| Step {
            library: s.name.clone(),
            why: s.why.clone(),
            reason: s.why.to_string(),
        })
        .collect()
}

/// Explains `target`: a library of the pool if one has that name, otherwise a symbol. The
/// selection is the one `options` would link (no objects: the platform's libraries only).
pub fn why(options: &UnikernelOptions, target: &str) -> Result<Explanation> {
    let (plan, errors) = unikernel::plan_all(options)?;
    let pool = &plan.pool;
    let selection = &plan.selection;
    if pool.metadata.contains_key(target) {
        let meta = &pool.metadata[target];
        let in_image = selection.get(target).is_some();
        let absent = (!in_image).then(|| absent_library(pool, selection, target, &errors));
        return Ok(Explanation::Library(LibraryExplanation {
            library: target.to_string(),
            version: meta.version.clone(),
            platform: plan.platform.name.clone(),
            in_image,
            chain: steps(selection, target),
            absent,
        }));
    }
    let with_app = !options.objects.is_empty();
    let defined_by_application = plan.app.defined.contains(target);
    let exporters = pool.exporters.get(target).cloned().unwrap_or_default();
    if exporters.is_empty() && !defined_by_application {
        if with_app && plan.app.undefined.contains(target) {
            let object = plan.app.users.get(target).cloned().unwrap_or_default();
            return Err(missing_symbol(
                pool,
                &plan.platform,
                &selection.libraries,
                target,
                Some(&Needer::Application { object }),
            ));
        }
        let libraries = near_names(target, pool.metadata.keys().map(String::as_str));
        let mut error = missing_symbol(pool, &plan.platform, &[], target, None);
        error.message = format!("no library in the pool provides `{target}`");
        if !libraries.is_empty() {
            error = error.note(format!("similar library names: {}", libraries.join(", ")));
        }
        return Err(error);
    }
    let definitions: Vec<Definition> = exporters
        .iter()
        .map(|library| {
            let meta = &pool.metadata[library];
            Definition {
                library: library.clone(),
                version: meta.version.clone(),
                member: meta.export_members.get(target).cloned(),
                platforms: pool.platforms_of(library),
                in_image: selection.get(library).is_some(),
            }
        })
        .collect();
    let mut used_by = Vec::new();
    if with_app {
        if let Some(object) = plan.app.users.get(target) {
            used_by.push(
                Needer::Application {
                    object: object.clone(),
                }
                .to_string(),
            );
        }
        for library in &selection.libraries {
            if pool.metadata[&library.name]
                .imports
                .iter()
                .any(|i| i == target)
            {
                used_by.push(format!("library {}", library.name));
            }
        }
    } else {
        for (name, meta) in &pool.metadata {
            if meta.imports.iter().any(|i| i == target) {
                used_by.push(format!("library {name}"));
            }
        }
    }
    let chain = definitions
        .iter()
        .find(|d| d.in_image)
        .map(|d| steps(selection, &d.library))
        .unwrap_or_default();
    // A symbol the application needs but cannot get: the link's own error says why.
    if with_app
        && !defined_by_application
        && chain.is_empty()
        && plan.app.undefined.contains(target)
    {
        let object = plan.app.users.get(target).cloned().unwrap_or_default();
        return Err(missing_symbol(
            pool,
            &plan.platform,
            &selection.libraries,
            target,
            Some(&Needer::Application { object }),
        ));
    }
    Ok(Explanation::Symbol(SymbolExplanation {
        symbol: target.to_string(),
        platform: plan.platform.name.clone(),
        defined_by_application,
        definitions,
        used_by,
        chain,
    }))
}

/// Why a library of the pool is not in the image.
fn absent_library(
    pool: &Pool,
    selection: &Selection,
    library: &str,
    errors: &[LinkError],
) -> String {
    if let Some(error) = errors
        .iter()
        .find(|e| e.message.contains(&format!("`{library}`")))
    {
        return format!("it could not be added: {}", error.message);
    }
    if !selection.libraries.is_empty() {
        if let Some((other, reason)) = crate::select::conflict(pool, &selection.libraries, library)
        {
            return format!(
                "it cannot be in this image: {reason} ({} is in the image because it is {}); \
                 choose it with --lib {library} to replace {}",
                other.name, other.why, other.name
            );
        }
    }
    format!(
        "nothing in the image uses its exports or depends on it; add it with --lib {library} (or \
         `libraries` in uk.toml)"
    )
}

fn write_chain(out: &mut String, chain: &[Step]) {
    let width = chain.iter().map(|s| s.library.len()).max().unwrap_or(0);
    for step in chain {
        let _ = writeln!(out, "  {:<width$}  {}", step.library, step.reason);
    }
}

impl std::fmt::Display for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        match self {
            Explanation::Library(l) if l.in_image => {
                let _ = writeln!(
                    out,
                    "library `{}` {} is in the {} image:",
                    l.library, l.version, l.platform
                );
                write_chain(&mut out, &l.chain);
            }
            Explanation::Library(l) => {
                let _ = writeln!(
                    out,
                    "library `{}` {} is not in the {} image",
                    l.library, l.version, l.platform
                );
                if let Some(absent) = &l.absent {
                    let _ = writeln!(out, "  = note: {absent}");
                }
            }
            Explanation::Symbol(s) => {
                if s.defined_by_application {
                    let _ = writeln!(out, "`{}` is defined by the application", s.symbol);
                }
                for d in &s.definitions {
                    let member = d
                        .member
                        .as_ref()
                        .map(|m| format!(", member {m}"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "`{}` is defined by library {} {}{member} ({})",
                        s.symbol, d.library, d.version, d.platforms
                    );
                }
                if !s.used_by.is_empty() {
                    let _ = writeln!(out, "used by: {}", s.used_by.join(", "));
                }
                if let Some(first) = s.chain.first() {
                    let _ = writeln!(out, "{} is in the {} image:", first.library, s.platform);
                    write_chain(&mut out, &s.chain);
                } else if let Some(d) = s.definitions.iter().find(|d| !d.in_image) {
                    let _ = writeln!(
                        out,
                        "{} is not in the {} image: nothing in it uses `{}`",
                        d.library, s.platform, s.symbol
                    );
                }
            }
        }
        f.write_str(out.trim_end())
    }
}

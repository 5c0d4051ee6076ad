//! `uk.toml`, the application's manifest: libraries, link-time options, platforms, and how to
//! run it (command line, memory). `ukl link`, `ukl run`, `ukl check` and `ukl why` read the
//! `uk.toml` beside the first application object (or `--manifest PATH`); command-line flags
//! override it. An application needs no manifest: libraries are then inferred from its
//! symbols.
//!
//! ```toml
//! libraries = ["allocregion"]        # NAME or NAME@VERSION
//! platforms = ["kvm"]                # used when --plat is not given
//! args = ["--verbose", "two words"]  # `ukl run`'s arguments when none follow `--`
//! env = ["TZ=UTC", "MODE=demo"]      # `ukl run`'s environment (before any --env)
//! memory = "64M"                     # `ukl run`'s guest memory when -m is not given
//!
//! [options]
//! ukdebug.level = 4                  # or: [options.ukdebug] level = 4
//! ```

use crate::error::Result;
use crate::link_error;
use crate::options::{Given, Setting};
use crate::select::Request;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The name looked for beside the application's objects.
pub const FILE_NAME: &str = "uk.toml";

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Where it was read from (not a key of the file).
    #[serde(skip)]
    pub path: PathBuf,
    #[serde(default)]
    pub libraries: Vec<String>,
    #[serde(default)]
    pub platforms: Vec<String>,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub env: Vec<String>,
    #[serde(default)]
    pub memory: Option<String>,
    /// LIBRARY → NAME → value.
    #[serde(default)]
    pub options: toml::Table,
}

impl Manifest {
    /// Reads `path`.
    pub fn load(path: &Path) -> Result<Manifest> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| link_error!("cannot read manifest `{}`: {e}", path.display()))?;
        let mut manifest: Manifest = toml::from_str(&text).map_err(|e| {
            link_error!("manifest `{}` is invalid: {}", path.display(), e.message())
                .help("keys of uk.toml: libraries, platforms, args, env, memory, [options]; see docs/commands.md")
        })?;
        manifest.path = path.to_path_buf();
        Ok(manifest)
    }

    /// The manifest to use for `objects`: `explicit` if given, else `uk.toml` beside the first
    /// object, else none.
    pub fn find(explicit: Option<&Path>, objects: &[PathBuf]) -> Result<Option<Manifest>> {
        if let Some(path) = explicit {
            return Manifest::load(path).map(Some);
        }
        let Some(first) = objects.first() else {
            return Ok(None);
        };
        let beside = first
            .parent()
            .map(|d| {
                if d.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    d
                }
            })
            .unwrap_or(Path::new("."))
            .join(FILE_NAME);
        if beside.is_file() {
            Manifest::load(&beside).map(Some)
        } else {
            Ok(None)
        }
    }

    fn source(&self) -> String {
        self.path.display().to_string()
    }

    /// The libraries it names.
    pub fn requests(&self) -> Vec<Request> {
        self.libraries
            .iter()
            .map(|l| Request::parse(l, &self.source()))
            .collect()
    }

    /// Its options as settings (`[options] ukdebug.level = 4` → `ukdebug.level`).
    pub fn settings(&self) -> Result<Vec<Setting>> {
        let mut settings = Vec::new();
        for (library, value) in &self.options {
            let table = value.as_table().ok_or_else(|| {
                link_error!(
                    "manifest `{}`: option `{library}` does not name its library",
                    self.path.display()
                )
                .help("write options as `LIBRARY.NAME = VALUE` under [options], e.g. `ukdebug.level = 4`")
            })?;
            for (name, value) in table {
                settings.push(Setting {
                    key: format!("{library}.{name}"),
                    given: Given::Value(value.clone()),
                    source: self.source(),
                });
            }
        }
        Ok(settings)
    }
}

/// The platforms to link for: `given` (`--plat`), else the manifest's, else kvm; without
/// repeats.
pub fn platforms(given: &[String], manifest: Option<&Manifest>) -> Vec<String> {
    let chosen = if !given.is_empty() {
        given.to_vec()
    } else {
        match manifest {
            Some(m) if !m.platforms.is_empty() => m.platforms.clone(),
            _ => vec!["kvm".to_string()],
        }
    };
    let mut unique: Vec<String> = Vec::new();
    for platform in chosen {
        if !unique.contains(&platform) {
            unique.push(platform);
        }
    }
    unique
}

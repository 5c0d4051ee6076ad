//! System libraries: registry entries (`[[system_library]]` in registry.toml) whose files come
//! from the build machine at link time rather than from `prebuilt/` — musl's libc.a, crt1.o,
//! crti.o and crtn.o from Debian's musl-dev. Their sha256 is recorded, so a link that uses a
//! different build of them is refused with the reason instead of producing a subtly different
//! image.

use crate::error::Result;
use crate::link::Input;
use crate::link_error;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
pub struct SystemFile {
    pub path: PathBuf,
    pub sha256: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SystemLibrary {
    pub name: String,
    pub version: String,
    pub kind: String,
    pub description: String,
    /// The distribution package that installs the files.
    pub package: String,
    #[serde(default)]
    pub provides: Vec<String>,
    pub files: Vec<SystemFile>,
    /// Pool libraries that serve parts of this library (threads, sockets): each is linked
    /// when the program's link brings in a member defining one of its symbols.
    #[serde(default)]
    pub serves: Vec<Service>,
}

/// `{ library = "linux_thread", when = ["__clone"] }`.
#[derive(Debug, Clone, Deserialize)]
pub struct Service {
    pub library: String,
    pub when: Vec<String>,
    /// Members of the system library, named without their extension (`nscd_query`), whose
    /// references to a `when` symbol do not call for the service: it is linked only when
    /// something else refers to the symbol.
    #[serde(default)]
    pub unless_only_from: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Registry {
    #[serde(default)]
    system_library: Vec<SystemLibrary>,
}

/// The system libraries recorded in `home`'s registry.toml.
pub fn load(home: &Path) -> Result<Vec<SystemLibrary>> {
    let path = home.join("registry.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| link_error!("cannot read `{}`: {e}", path.display()))?;
    let registry: Registry =
        toml::from_str(&text).map_err(|e| link_error!("`{}` is invalid: {e}", path.display()))?;
    Ok(registry.system_library)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks one file against its recorded sha256.
pub fn verify(library: &SystemLibrary, file: &SystemFile) -> Result<()> {
    let bytes = std::fs::read(&file.path).map_err(|e| {
        link_error!(
            "system library `{}`: cannot read `{}`: {e}",
            library.name,
            file.path.display()
        )
        .help(format!(
            "install Debian's {} {}",
            library.package, library.version
        ))
    })?;
    let actual = hex(&crate::hash::digest(&bytes));
    if actual != file.sha256 {
        return Err(link_error!(
            "system library `{}`: `{}` has sha256 {actual}, but registry.toml records {}",
            library.name,
            file.path.display(),
            file.sha256
        )
        .note(format!(
            "the pool was checked with {} {} ({})",
            library.package, library.version, library.description
        ))
        .help(
            "install that version, or check the new one and record its sha256 in registry.toml",
        ));
    }
    Ok(())
}

/// Verifies every input that is a recorded system file (by canonical path); returns the
/// system libraries the inputs use.
pub fn check_inputs(home: &Path, inputs: &[Input]) -> Result<Vec<SystemLibrary>> {
    let libraries = load(home)?;
    let mut used: Vec<SystemLibrary> = Vec::new();
    for input in inputs {
        let Ok(canonical) = input.path.canonicalize() else {
            continue;
        };
        for library in &libraries {
            for file in &library.files {
                if file.path.canonicalize().ok().as_deref() == Some(canonical.as_path()) {
                    verify(library, file)?;
                    if !used.iter().any(|u| u.name == library.name) {
                        used.push(library.clone());
                    }
                }
            }
        }
    }
    Ok(used)
}

/// The inputs that are files of `libraries` (by canonical path), as given on the command line.
pub fn files_among(libraries: &[SystemLibrary], inputs: &[Input]) -> Vec<PathBuf> {
    inputs
        .iter()
        .filter(|input| {
            let Ok(canonical) = input.path.canonicalize() else {
                return false;
            };
            libraries
                .iter()
                .flat_map(|l| &l.files)
                .any(|file| file.path.canonicalize().ok().as_deref() == Some(canonical.as_path()))
        })
        .map(|input| input.path.clone())
        .collect()
}

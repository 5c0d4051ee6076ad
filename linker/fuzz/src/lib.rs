//! What the fuzz targets share: a private work directory per fuzzing process and the ukl home
//! (the repository root, with registry.toml and prebuilt/).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One directory per fuzzing process, removed when the process exits normally.
pub fn work_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("create a temporary directory"))
        .path()
}

/// The repository this fuzz crate is in (linker/fuzz/../..), or UKL_HOME.
pub fn home() -> PathBuf {
    match std::env::var_os("UKL_HOME") {
        Some(home) => PathBuf::from(home),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."),
    }
}

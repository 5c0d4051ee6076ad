//! Drift between the pool's descriptions and its archives is a link error that names the library
//! and says to run `ukl pool build`: a registry.toml version that prebuilt/ does not hold, and
//! library metadata whose exports are not the archive's defined global symbols (one removed,
//! one added). Each case links hello-c for kvm against a copy of the repository's pool in a
//! temporary home (`--home`), altered one way; the copy unaltered links.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

/// A ukl home with copies of registry.toml, platforms/, linkscripts/ and prebuilt/, and the
/// hello-c application object.
fn home_copy(name: &str) -> (PathBuf, PathBuf) {
    let home = common::work_dir("pool-drift", name);
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let status = std::process::Command::new("cp")
        .arg("-r")
        .args(
            ["registry.toml", "platforms", "linkscripts", "prebuilt"]
                .map(|p| common::home().join(p)),
        )
        .arg(&home)
        .status()
        .expect("cp runs");
    assert!(status.success(), "copying the pool");
    let object = home.join("app.o");
    common::compile_c(
        &common::home().join("examples/hello-c/main.c"),
        &object,
        &[],
    );
    (home, object)
}

fn link(home: &Path, object: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ukl"))
        .arg("--home")
        .arg(home)
        .arg("link")
        .arg(object)
        .args(["--plat", "kvm", "-o"])
        .arg(home.join("app.kvm"))
        .output()
        .expect("ukl runs")
}

/// Exit status 1, a message with each of `expect` and `ukl pool build`, and no image.
fn assert_drift(home: &Path, result: &Output, expect: &[&str]) {
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "stderr: {stderr}");
    for text in expect.iter().chain(&["ukl pool build"]) {
        assert!(stderr.contains(text), "no `{text}` in: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!home.join("app.kvm").exists(), "an image was written");
}

/// Replaces the first occurrence of `from` in `path` by `to`.
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "`{from}` is not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn the_unaltered_copy_links() {
    let (home, object) = home_copy("unaltered");
    let result = link(&home, &object);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

/// plat_kvm's metadata file in `home` and its first export (read from the copy, so that the
/// test follows a rebuilt pool).
fn plat_kvm(home: &Path) -> (PathBuf, String, String) {
    let index = ukl::pool::load_index(&home.join("prebuilt/x86_64")).unwrap();
    let entry = index.get("plat_kvm").expect("plat_kvm is in the pool");
    let meta = index.load_metadata(entry).unwrap();
    let export = meta
        .exports
        .first()
        .expect("plat_kvm exports symbols")
        .clone();
    (index.metadata_path(entry), entry.version.clone(), export)
}

#[test]
fn a_registry_version_that_prebuilt_does_not_hold_is_an_error() {
    let (home, object) = home_copy("version");
    let (_, version, _) = plat_kvm(&home);
    edit(
        &home.join("registry.toml"),
        &format!("name = \"plat_kvm\"\nversion = \"{version}\""),
        "name = \"plat_kvm\"\nversion = \"99.0.0\"",
    );
    let result = link(&home, &object);
    assert_drift(&home, &result, &["plat_kvm", "99.0.0", &version]);
}

#[test]
fn an_export_missing_from_the_metadata_is_an_error() {
    let (home, object) = home_copy("export-removed");
    let (metadata, _, export) = plat_kvm(&home);
    edit(&metadata, &format!("    \"{export}\",\n"), "");
    let result = link(&home, &object);
    assert_drift(&home, &result, &["plat_kvm", &export]);
}

#[test]
fn an_export_the_archive_does_not_define_is_an_error() {
    let (home, object) = home_copy("export-added");
    let (metadata, _, export) = plat_kvm(&home);
    // Sorted right after the first export, as the metadata lists them.
    let added = format!("{export}_not_in_the_archive");
    edit(
        &metadata,
        &format!("    \"{export}\",\n"),
        &format!("    \"{export}\",\n    \"{added}\",\n"),
    );
    let result = link(&home, &object);
    assert_drift(&home, &result, &["plat_kvm", &added]);
}

//! `prebuilt/` is what `pool-src/` builds: `ukl pool build --check` compiles the pool into a
//! temporary folder and compares byte for byte (about 10 s). When this fails, run
//! `ukl pool build` and commit `prebuilt/`.

use std::path::{Path, PathBuf};

use ukl::pool::{build_pool, PoolBuildOptions};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn committed_prebuilt_is_what_pool_src_builds() {
    let root = repository();
    if !root.join("prebuilt/x86_64/index.toml").is_file() {
        eprintln!("note: the pool has not been published yet (no prebuilt/x86_64/index.toml)");
        return;
    }
    let target = tempfile::tempdir().unwrap();
    let mut options = PoolBuildOptions::for_repository(&root);
    options.check = true;
    options.target_dir = Some(target.path().to_path_buf());
    let report = build_pool(&options).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.checked);
}

#[test]
fn the_pool_builds_identically_from_two_folders() {
    let root = repository();
    let copies: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut outputs = Vec::new();
    for (copy, folder) in copies.iter().zip(["first", "second/deeper"]) {
        let checkout = copy.path().join(folder);
        copy_tree(&root.join("pool-src"), &checkout.join("pool-src"));
        std::fs::copy(root.join("registry.toml"), checkout.join("registry.toml")).unwrap();
        build_pool(&PoolBuildOptions::for_repository(&checkout)).unwrap_or_else(|e| panic!("{e}"));
        outputs.push(checkout.join("prebuilt/x86_64"));
    }
    let mut names: Vec<_> = std::fs::read_dir(&outputs[0])
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() > 1);
    for name in names {
        let first = std::fs::read(outputs[0].join(&name)).unwrap();
        let second = std::fs::read(outputs[1].join(&name)).unwrap();
        assert!(
            first == second,
            "{} differs between two checkouts",
            name.to_string_lossy()
        );
    }
}

/// Copies a source tree, leaving out cargo's `target/` folders.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "target" {
                copy_tree(&path, &to.join(entry.file_name()));
            }
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

//! The committed pool in `prebuilt/x86_64/`: every archive has the checksum its metadata and the
//! index record, its visible symbols are exactly the exports its `exports.txt` declares (globs
//! expanded) and its metadata lists, and the registry agrees on name, version and kind.

use std::path::{Path, PathBuf};

use ukl::pool::{check_exports, load_index, load_registry, verify_archive, visible_symbols};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn every_published_archive_matches_its_metadata_and_exports() {
    let root = repository();
    let dir = root.join("prebuilt").join("x86_64");
    if !dir.join("index.toml").is_file() {
        eprintln!(
            "note: {} has no index.toml yet; nothing to check",
            dir.display()
        );
        return;
    }
    let index = load_index(&dir).unwrap_or_else(|e| panic!("{e}"));
    let registry = load_registry(&root.join("registry.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(!index.library.is_empty());
    for entry in &index.library {
        let registered = registry
            .get(&entry.name)
            .unwrap_or_else(|| panic!("{} is published but not in registry.toml", entry.name));
        assert_eq!(
            registered.version, entry.version,
            "version of {}",
            entry.name
        );
        assert_eq!(registered.kind, entry.kind, "kind of {}", entry.name);
        let meta = index.load_metadata(entry).unwrap_or_else(|e| panic!("{e}"));
        let archive = index.archive_path(entry);
        verify_archive(&meta, &archive).unwrap_or_else(|e| panic!("{e}"));
        let exports_file = root.join(&registered.exports);
        check_exports(&entry.name, &archive, &exports_file).unwrap_or_else(|e| panic!("{e}"));
        let visible = visible_symbols(&entry.name, &archive).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            meta.exports,
            visible.into_iter().collect::<Vec<_>>(),
            "exports in the metadata of {}",
            entry.name
        );
    }
    for registered in &registry.library {
        assert!(
            index.get(&registered.name).is_some(),
            "{} is not published",
            registered.name
        );
    }
}

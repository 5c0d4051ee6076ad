//! Two builds of the same pool from two different checkout folders give identical bytes: the
//! archives, their metadata and the index. The throwaway pool compiles with line tables, so any
//! absolute path that escaped remapping would show up here.

mod pool_support;

use std::path::Path;

use ukl::pool::{build_pool, PoolBuildOptions};

fn published(root: &Path) -> Vec<(String, Vec<u8>)> {
    let dir = root.join("prebuilt").join("x86_64");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(entry.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn builds_from_two_folders_are_identical() {
    let (_first_dir, first) = pool_support::new_checkout("a", "");
    let (_second_dir, second) =
        pool_support::new_checkout("a-much-longer/checkout-folder-name", "");
    build_pool(&PoolBuildOptions::for_repository(&first)).unwrap_or_else(|e| panic!("{e}"));
    build_pool(&PoolBuildOptions::for_repository(&second)).unwrap_or_else(|e| panic!("{e}"));
    let first_files = published(&first);
    let second_files = published(&second);
    assert_eq!(first_files.len(), 7);
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&first_files), names(&second_files));
    for ((name, a), (_, b)) in first_files.iter().zip(&second_files) {
        assert!(a == b, "{name} differs between the two checkouts");
        for root in [&first, &second] {
            let path = root.display().to_string();
            let leaked = a
                .windows(path.len())
                .any(|window| window == path.as_bytes());
            assert!(!leaked, "{name} contains the checkout path {path}");
        }
    }
}

//! `ukl pool build` on a throwaway pool: archives, metadata, privatization (checked by linking
//! and running a program with gcc), checksum verification and `--check`.

mod pool_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pool_support::{new_checkout, run};
use ukl::pool::{
    build_pool, check_exports, load_index, load_metadata, verify_archive, visible_symbols,
    LibraryKind, PoolBuildOptions, PoolError, PoolReport,
};

/// One build of the throwaway pool, shared by the tests of this file (they only read it).
fn built() -> &'static (PathBuf, PoolReport) {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf, PoolReport)> = OnceLock::new();
    let (_, root, report) = BUILT.get_or_init(|| {
        let (dir, root) = new_checkout("checkout", "");
        let report = build_pool(&PoolBuildOptions::for_repository(&root))
            .unwrap_or_else(|e| panic!("build failed: {e}"));
        (dir, root, report)
    });
    // Leak-free: the TempDir lives in the static until the process ends.
    let pair: &'static (PathBuf, PoolReport) = Box::leak(Box::new((root.clone(), report.clone())));
    pair
}

fn prebuilt(root: &Path) -> PathBuf {
    root.join("prebuilt").join("x86_64")
}

#[test]
fn publishes_archives_metadata_and_index() {
    let (root, report) = built();
    let dir = prebuilt(root);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "alpha-0.1.0.a",
            "alpha-0.1.0.toml",
            "beta-0.2.0.a",
            "beta-0.2.0.toml",
            "index.toml",
            "tiny_rt-0.1.0.a",
            "tiny_rt-0.1.0.toml"
        ]
    );
    assert_eq!(report.libraries.len(), 3);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);

    let index = load_index(&dir).unwrap();
    assert_eq!(index.arch, "x86_64");
    assert_eq!(index.library.len(), 3);
    for entry in &index.library {
        let meta = index.load_metadata(entry).unwrap();
        verify_archive(&meta, &index.archive_path(entry)).unwrap();
        let exports_file = root.join(format!("pool-src/libs/{}/exports.txt", entry.name));
        check_exports(&entry.name, &index.archive_path(entry), &exports_file).unwrap();
        let visible = visible_symbols(&entry.name, &index.archive_path(entry)).unwrap();
        assert_eq!(meta.exports, visible.into_iter().collect::<Vec<_>>());
        assert!(!meta.toolchain.rustc.is_empty() && !meta.toolchain.rustc_commit.is_empty());
    }

    let alpha = load_metadata(&dir.join("alpha-0.1.0.toml")).unwrap();
    assert_eq!(alpha.kind, LibraryKind::Lib);
    assert_eq!(alpha.exports, ["alpha_c_where", "alpha_compute"]);
    assert!(
        alpha.members.len() >= 2,
        "the Rust object and the C object: {:?}",
        alpha.members
    );
    assert!(alpha.size.text > 0);
    let beta = load_metadata(&dir.join("beta-0.2.0.toml")).unwrap();
    assert_eq!(beta.exports, ["beta_div", "beta_value"]);
    assert!(
        beta.imports.iter().any(|s| s.contains("4core9panicking")),
        "beta's division panics through core: {:?}",
        beta.imports
    );
    let runtime = load_metadata(&dir.join("tiny_rt-0.1.0.toml")).unwrap();
    assert_eq!(runtime.kind, LibraryKind::Runtime);
    assert!(runtime.exports.iter().any(|s| s == "tiny_rt_version"));
    assert!(!runtime.exports.iter().any(|s| s == "private_rt_helper"));
    for import in &beta.imports {
        if import.starts_with("_R") {
            assert!(
                runtime.exports.contains(import),
                "tiny_rt must export {import}"
            );
        }
    }
}

#[test]
fn private_symbols_are_localized_or_renamed() {
    let (root, _) = built();
    let archive = prebuilt(root).join("alpha-0.1.0.a");
    let symbols = run(Command::new("nm").arg("-A").arg(&archive));
    let lines: Vec<&str> = symbols.lines().collect();
    let has = |kind: char, name: &str| {
        lines
            .iter()
            .any(|line| line.ends_with(&format!(" {kind} {name}")))
    };
    // Used only inside the Rust object: local.
    assert!(has('t', "shared_helper"), "{symbols}");
    // Defined in Rust, used by the C object: renamed, still global.
    assert!(has('T', "__ukl_alpha_alpha_from_c"), "{symbols}");
    assert!(has('U', "__ukl_alpha_alpha_from_c"), "{symbols}");
    assert!(has('T', "__ukl_alpha_alpha_c_twice"), "{symbols}");
    assert!(
        !has('T', "alpha_from_c") && !has('U', "alpha_from_c"),
        "{symbols}"
    );
    assert!(
        has('T', "alpha_compute") && has('T', "alpha_c_where"),
        "{symbols}"
    );
    // The archive's symbol index lists the global definitions.
    let index = run(Command::new("nm").arg("--print-armap").arg(&archive));
    assert!(index.contains("alpha_compute in "), "{index}");
    // The metadata says what the library keeps private, by the original names.
    let metadata = load_metadata(&prebuilt(root).join("alpha-0.1.0.toml")).unwrap();
    for name in ["shared_helper", "alpha_from_c", "alpha_c_twice"] {
        assert!(
            metadata.private.iter().any(|p| p == name),
            "{name} missing from {:?}",
            metadata.private
        );
    }
    assert!(!metadata.private.iter().any(|p| p == "alpha_compute"));
}

#[test]
fn packaged_libraries_link_and_run() {
    let (root, _) = built();
    let dir = prebuilt(root);
    let work = tempfile::tempdir().unwrap();
    let main = work.path().join("main.c");
    std::fs::write(
        &main,
        r#"#include <stdio.h>
int alpha_compute(int);
const char *alpha_c_where(void);
int beta_value(void);
int beta_div(int, int);
int tiny_rt_version(void);
/* The same name as a private symbol of alpha and of beta: no collision. */
int shared_helper(int x) { return -x; }
int main(void) {
    printf("%d %d %d %d %d %s\n", alpha_compute(5), beta_value(), beta_div(10, 2),
           tiny_rt_version(), shared_helper(1), alpha_c_where());
    return 0;
}
"#,
    )
    .unwrap();
    let archives = ["alpha-0.1.0.a", "beta-0.2.0.a", "tiny_rt-0.1.0.a"].map(|a| dir.join(a));
    // Archive semantics with GNU ld, then every member linked whole (as ukl links a selected
    // library) with GNU ld and, when installed, with lld.
    let mut linkers = vec![("ld", false), ("ld", true)];
    if Command::new("ld.lld").arg("--version").output().is_ok() {
        linkers.push(("lld", true));
    }
    for (linker, whole) in linkers {
        let program = work.path().join(format!("program-{linker}-{whole}"));
        let mut command = Command::new("gcc");
        command.arg(format!(
            "-fuse-ld={}",
            if linker == "ld" { "bfd" } else { "lld" }
        ));
        command.arg("-no-pie").arg("-o").arg(&program).arg(&main);
        if whole {
            command.arg("-Wl,--whole-archive");
        }
        command.args(&archives);
        if whole {
            command.arg("-Wl,--no-whole-archive");
        }
        run(&mut command);
        let output = run(&mut Command::new(&program));
        let (numbers, file) = output.rsplit_once(' ').unwrap();
        assert_eq!(
            numbers, "131 202 5 7 -1",
            "{linker}, whole archive: {whole}"
        );
        assert!(file.trim_end().ends_with("alpha.c"), "{output}");
        assert!(
            !file.contains(&root.display().to_string()),
            "an absolute path leaked: {output}"
        );
    }
}

#[test]
fn checksum_mismatch_names_the_file_and_the_fix() {
    let (root, _) = built();
    let dir = prebuilt(root);
    let meta = load_metadata(&dir.join("beta-0.2.0.toml")).unwrap();
    let work = tempfile::tempdir().unwrap();
    let copy = work.path().join("beta-0.2.0.a");
    let mut bytes = std::fs::read(dir.join("beta-0.2.0.a")).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&copy, bytes).unwrap();
    let error = verify_archive(&meta, &copy).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, PoolError::Checksum { .. }));
    assert!(message.contains(&copy.display().to_string()), "{message}");
    assert!(message.contains(&meta.sha256), "{message}");
    assert!(
        message.contains("run `ukl pool build` or restore the file with git"),
        "{message}"
    );
}

#[test]
fn check_mode_compares_byte_for_byte() {
    let (root, _) = built();
    let work = tempfile::tempdir().unwrap();
    let committed = work.path().join("prebuilt");
    std::fs::create_dir_all(committed.join("x86_64")).unwrap();
    for entry in std::fs::read_dir(prebuilt(root)).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            committed.join("x86_64").join(entry.file_name()),
        )
        .unwrap();
    }
    let mut options = PoolBuildOptions::for_repository(root);
    options.out = committed.clone();
    options.check = true;
    let report = build_pool(&options).unwrap_or_else(|e| panic!("check failed: {e}"));
    assert!(report.checked);

    let archive = committed.join("x86_64").join("alpha-0.1.0.a");
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.push(b'\n');
    std::fs::write(&archive, bytes).unwrap();
    std::fs::write(committed.join("x86_64").join("old-0.0.1.a"), b"!<arch>\n").unwrap();
    let error = build_pool(&options).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, PoolError::Stale { .. }), "{message}");
    assert!(
        message.contains("differs: ") && message.contains("alpha-0.1.0.a"),
        "{message}"
    );
    assert!(
        message.contains("not built: ") && message.contains("old-0.0.1.a"),
        "{message}"
    );
    assert!(!message.contains("beta-0.2.0.a"), "{message}");
}

#[test]
fn a_declared_export_that_is_not_defined_is_an_error() {
    let (_dir, root) = new_checkout("missing-export", "alpha_missing\n");
    let error = build_pool(&PoolBuildOptions::for_repository(&root)).unwrap_err();
    match &error {
        PoolError::UndefinedExport {
            library, symbol, ..
        } => {
            assert_eq!(
                (library.as_str(), symbol.as_str()),
                ("alpha", "alpha_missing")
            );
        }
        other => panic!("unexpected error: {other}"),
    }
    assert!(error.to_string().contains("alpha_missing"));
}

#[test]
fn using_another_library_s_private_symbol_is_an_error() {
    let (_dir, root) = new_checkout("private-import", "");
    let beta = root.join("pool-src/libs/beta/src/lib.rs");
    let mut source = std::fs::read_to_string(&beta).unwrap();
    source.push_str(
        "extern \"C\" { fn alpha_from_c(x: i32) -> i32; }\n\
         #[no_mangle]\npub extern \"C\" fn beta_peek() -> i32 {\n    \
         // SAFETY: a plain C function.\n    unsafe { alpha_from_c(1) }\n}\n",
    );
    std::fs::write(&beta, source).unwrap();
    let error = build_pool(&PoolBuildOptions::for_repository(&root)).unwrap_err();
    match &error {
        PoolError::PrivateImport {
            library,
            symbol,
            owner,
        } => {
            assert_eq!(
                (library.as_str(), symbol.as_str(), owner.as_str()),
                ("beta", "alpha_from_c", "alpha")
            );
        }
        other => panic!("unexpected error: {other}"),
    }
    assert!(error.to_string().contains("exports.txt"), "{error}");
}

#[test]
fn an_undeclared_dependency_is_a_warning() {
    let (_dir, root) = new_checkout("undeclared-dependency", "");
    let registry = root.join("registry.toml");
    let text = std::fs::read_to_string(&registry).unwrap();
    std::fs::write(
        &registry,
        text.replace("dependencies = [\"tiny_rt\"]", "dependencies = []"),
    )
    .unwrap();
    let report = build_pool(&PoolBuildOptions::for_repository(&root)).unwrap();
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(
        report.warnings[0].starts_with("library beta uses `_R"),
        "{:?}",
        report.warnings
    );
    assert!(
        report.warnings[0].contains("from tiny_rt"),
        "{:?}",
        report.warnings
    );
}

#[test]
fn a_rebuild_removes_stale_archives() {
    let (_dir, root) = new_checkout("stale", "");
    let out = prebuilt(&root);
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("alpha-0.0.9.a"), b"!<arch>\n").unwrap();
    std::fs::write(out.join("alpha-0.0.9.toml"), b"").unwrap();
    std::fs::write(out.join("README"), b"kept").unwrap();
    let report = build_pool(&PoolBuildOptions::for_pool_src(&root.join("pool-src"))).unwrap();
    assert_eq!(
        report.removed,
        [out.join("alpha-0.0.9.a"), out.join("alpha-0.0.9.toml")]
    );
    assert!(out.join("README").is_file() && out.join("alpha-0.1.0.a").is_file());
}

/// Makes beta define and export `fmin`, and records musl's libc.a as the system C library.
fn checkout_exporting_fmin(subdir: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = new_checkout(subdir, "");
    let beta = root.join("pool-src/libs/beta/src/lib.rs");
    let mut source = std::fs::read_to_string(&beta).unwrap();
    source.push_str(
        "#[no_mangle]\npub extern \"C\" fn fmin(x: f64, y: f64) -> f64 {\n    \
         if x < y { x } else { y }\n}\n",
    );
    std::fs::write(&beta, source).unwrap();
    let exports = root.join("pool-src/libs/beta/exports.txt");
    let mut list = std::fs::read_to_string(&exports).unwrap();
    list.push_str("fmin\n");
    std::fs::write(&exports, list).unwrap();
    // The real registry's record of musl (the pool build reads its libc.a's symbol index).
    let real =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../registry.toml"))
            .unwrap();
    let musl = &real[real
        .find("[[system_library]]")
        .expect("registry.toml records musl")..];
    let registry = root.join("registry.toml");
    let mut text = std::fs::read_to_string(&registry).unwrap();
    text.push('\n');
    text.push_str(musl);
    std::fs::write(&registry, text).unwrap();
    (dir, root)
}

#[test]
fn exporting_a_c_library_name_is_refused_unless_the_registry_says_so() {
    let (_dir, root) = checkout_exporting_fmin("shadows-libc");
    let error = build_pool(&PoolBuildOptions::for_repository(&root)).unwrap_err();
    let message = error.to_string();
    match &error {
        PoolError::Library { library, .. } => assert_eq!(library, "beta", "{message}"),
        other => panic!("unexpected error: {other}"),
    }
    assert!(message.contains("`fmin`"), "{message}");
    assert!(message.contains("libc.a"), "{message}");
    assert!(message.contains("c_library = true"), "{message}");

    // Declared part of the pool's C library, the same export is accepted.
    let registry = root.join("registry.toml");
    let text = std::fs::read_to_string(&registry).unwrap().replace(
        "provides = [\"beta\"]\n",
        "provides = [\"beta\"]\nc_library = true\n",
    );
    std::fs::write(&registry, text).unwrap();
    build_pool(&PoolBuildOptions::for_repository(&root))
        .unwrap_or_else(|e| panic!("a declared C library part was refused: {e}"));
}

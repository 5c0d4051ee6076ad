//! Replays the committed fuzz corpus on stable Rust: every file of
//! `linker/fuzz/corpus-committed/<target>/` (a minimized corpus of a longer fuzz run) and of
//! `linker/fuzz/seeds/<target>/` and `linker/fuzz/regressions/<target>/` (inputs that once
//! crashed ukl) goes through the same function as the fuzz target `<target>`
//! (`ukl::fuzz_targets`). A panic on any file fails the test, which names the file; a missing or
//! empty corpus directory fails it too.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `dir`, sorted; none if it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("list a corpus directory").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `run` on every corpus file of `target`; fails with the files that panicked.
fn replay(target: &str, run: impl Fn(&Path, &[u8])) {
    let committed = fuzz_dir().join("corpus-committed").join(target);
    let mut corpus = files(&committed);
    assert!(
        !corpus.is_empty(),
        "the committed corpus {} is missing or empty",
        committed.display()
    );
    corpus.extend(files(&fuzz_dir().join("seeds").join(target)));
    corpus.extend(files(&fuzz_dir().join("regressions").join(target)));
    let dir = tempfile::tempdir().expect("a work directory");
    let panicked: Vec<String> = corpus
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).expect("read a corpus file");
            catch_unwind(AssertUnwindSafe(|| run(dir.path(), &data))).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        panicked.is_empty(),
        "{} of {} `{target}` corpus files make ukl panic:\n{}",
        panicked.len(),
        corpus.len(),
        panicked.join("\n")
    );
}

#[test]
fn inputs_corpus_replays_without_a_panic() {
    replay("inputs", ukl::fuzz_targets::inputs);
}

#[test]
fn archive_corpus_replays_without_a_panic() {
    replay("archive", ukl::fuzz_targets::archive);
}

#[test]
fn script_corpus_replays_without_a_panic() {
    replay("script", ukl::fuzz_targets::script);
}

#[test]
fn unikernel_corpus_replays_without_a_panic() {
    let home = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    replay("unikernel", |dir, data| {
        ukl::fuzz_targets::unikernel(dir, &home, data)
    });
}

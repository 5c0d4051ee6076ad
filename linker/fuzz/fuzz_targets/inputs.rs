//! Fuzzes the input readers and every phase after them: the bytes are linked as an object file,
//! as the only member of an archive linked whole, and as a member extracted on demand. Any
//! result is fine except a panic, an abort or a hang.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use ukl::link::{link_to_bytes, Input, LinkOptions};

/// One directory per fuzzing process; the input files are rewritten on every run.
fn work_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("create a temporary directory"))
        .path()
}

/// A GNU ar archive without a symbol index that holds `data` as `fuzz.o`.
fn archive_of(data: &[u8]) -> Vec<u8> {
    let mut archive = b"!<arch>\n".to_vec();
    let header = format!(
        "{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
        "fuzz.o/",
        0,
        0,
        0,
        644,
        data.len()
    );
    archive.extend_from_slice(header.as_bytes());
    archive.extend_from_slice(data);
    if data.len() % 2 == 1 {
        archive.push(b'\n');
    }
    archive
}

fn link(path: PathBuf, whole_archive: bool) {
    let options = LinkOptions {
        inputs: vec![Input {
            path,
            whole_archive,
        }],
        output: work_dir().join("image"),
        undefined: vec!["main".into()],
        ..LinkOptions::default()
    };
    // Errors are expected; only panics and aborts are findings.
    let _ = link_to_bytes(&options);
}

fuzz_target!(|data: &[u8]| {
    let object = work_dir().join("fuzz.o");
    std::fs::write(&object, data).expect("write the object");
    link(object, false);

    let archive = work_dir().join("libfuzz.a");
    std::fs::write(&archive, archive_of(data)).expect("write the archive");
    link(archive.clone(), true);
    link(archive, false);
});

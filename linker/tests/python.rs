//! CPython 3.11, a language runtime with its own configure script and Makefile
//! (examples/python/build.sh): built as a static musl program for Linux and, with only the
//! linker swapped, as kvm, xen and linuxu unikernels with the standard library in an initrd.
//! examples/python/rootfs/test.py (the language, built-in and pure-Python modules, files,
//! threads, a timer signal, the environment, arguments, standard input) must print on each
//! what it prints on Linux. The tarball comes from deb.debian.org (cached in target/python) or
//! PYTHON_SRC; without either (no network) the test says so and passes.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Command;

const INPUT: &[u8] = b"one\ntwo\n";
const ARGS: [&str; 2] = ["a", "b c"];

/// Builds the interpreters and the standard library; None when the source cannot be fetched.
fn build() -> Option<PathBuf> {
    build_example_from_source("python", "Python-3.11.2", "PYTHON_SRC")
}

/// The Linux interpreter on the test script, with `input` on its standard input.
fn linux(work: &Path, input: &[u8]) -> String {
    let root = work.join("root");
    let scratch = musl_work_dir("python-linux");
    let mut command = Command::new(work.join("python.linux"));
    command
        .arg(root.join("test.py"))
        .args(ARGS)
        .current_dir(&scratch)
        .env_clear()
        .env("GREETING", "hello")
        .env("PYTHONHOME", root.join("usr"));
    ukl::run::only_standard_streams(&mut command);
    let out = run_with_input(command, input.to_vec());
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with("bye\n"), "{text}");
    text
}

/// The unikernel for `platform` on the test script, from the initrd; the platform's own
/// log lines (`[    0.1] info: ...`) left out.
fn unikernel(work: &Path, platform: &str, input: &[u8]) -> String {
    let mut command = ukl();
    command
        .arg("run")
        .arg(work.join(format!("python.{platform}")))
        .args(["--plat", platform, "--timeout", "280", "-m", "256M"])
        .arg("--initrd")
        .arg(work.join("root"))
        .args(["--env", "GREETING=hello", "--", "/test.py"])
        .args(ARGS);
    let out = run_with_input(command, input.to_vec());
    let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{platform}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .filter(|line| !(line.starts_with('[') && line.contains("] info: ")))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn python_matches_linux_on_kvm_xen_and_linuxu() {
    let Some(work) = build() else { return };
    std::fs::copy(
        home().join("examples/python/rootfs/test.py"),
        work.join("root/test.py"),
    )
    .unwrap();
    let expected = linux(&work, INPUT);
    for answer in [
        "3.11.2 linux ['a', 'b c']\n",
        "[0, 1, 4, 9, 16] 5000\n",
        "alarm fired: True\n",
        "hello -\n",
        "stdin: TWO\n",
    ] {
        assert!(expected.contains(answer), "{answer}:\n{expected}");
    }
    for platform in ["kvm", "linuxu"] {
        assert_same_output(&unikernel(&work, platform, INPUT), &expected);
    }
    // Xen's console takes no input: the program is at the end of its input at once.
    let without_input = linux(&work, b"");
    assert_same_output(&unikernel(&work, "xen", INPUT), &without_input);
}

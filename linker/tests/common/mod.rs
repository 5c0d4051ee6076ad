//! Helpers shared by the boot tests: where the ukl home is, the `ukl` binary, scratch
//! directories, and compiling applications with the pool's C and Rust flags (the same flags as
//! the examples' Makefiles).

#![allow(dead_code, reason = "each test crate uses the helpers it needs")]

pub mod guest;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root: registry.toml, platforms/, prebuilt/, pool-src/.
pub fn home() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("linker/ has a parent")
        .to_path_buf()
}

/// The `ukl` binary under test, pointed at this checkout's home.
pub fn ukl() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ukl"));
    command.env("UKL_HOME", home());
    command
}

/// A fresh scratch directory for one test, named after the suite and the test.
pub fn work_dir(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ukl-{suite}-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// A test application in tests/apps/.
pub fn app(name: &str) -> PathBuf {
    home().join("tests/apps").join(name)
}

/// Compiles a C application against nolibc's headers with the pool's C flags; `extra` adds
/// flags (e.g. `-g`, more `-I`).
pub fn compile_c(source: &Path, out: &Path, extra: &[&str]) {
    let libs = home().join("pool-src/libs");
    let status = Command::new("gcc")
        .args([
            "-std=gnu11",
            "-O2",
            "-ffreestanding",
            "-fno-pic",
            "-fno-stack-protector",
        ])
        .args(["-mno-red-zone", "-mcmodel=small", "-fno-omit-frame-pointer"])
        .args(["-fno-asynchronous-unwind-tables", "-nostdinc"])
        .arg("-I")
        .arg(libs.join("nolibc/include"))
        .arg("-I")
        .arg(libs.join("ukalloc/include"))
        .arg("-I")
        .arg(libs.join("ukdebug/include"))
        .args(extra)
        .arg("-c")
        .arg(source)
        .arg("-o")
        .arg(out)
        .status()
        .expect("gcc runs");
    assert!(status.success(), "compiling {}", source.display());
}

/// The pool's Rust flags.
pub const RUST_FLAGS: &[&str] = &[
    "--edition",
    "2021",
    "-C",
    "opt-level=2",
    "-C",
    "panic=abort",
    "-C",
    "relocation-model=static",
    "-C",
    "no-redzone=yes",
    "-C",
    "target-cpu=x86-64",
    "-C",
    "force-frame-pointers=yes",
    "-C",
    "codegen-units=1",
];

/// Compiles a `no_std` Rust application against the `uk` API crate into one object (the
/// `uk` rlib is built next to it).
pub fn compile_rust(source: &Path, out: &Path) {
    let uk = out
        .parent()
        .expect("object in a directory")
        .join("libuk.rlib");
    let status = Command::new("rustc")
        .args(RUST_FLAGS)
        .args(["--crate-type", "rlib", "--crate-name", "uk"])
        .arg(home().join("pool-src/libs/uk/src/lib.rs"))
        .arg("-o")
        .arg(&uk)
        .status()
        .expect("rustc runs");
    assert!(status.success(), "compiling uk");
    let status = Command::new("rustc")
        .args(RUST_FLAGS)
        .args([
            "--crate-type",
            "lib",
            "--crate-name",
            "app",
            "--emit=obj",
            "--extern",
        ])
        .arg(format!("uk={}", uk.display()))
        .arg(source)
        .arg("-o")
        .arg(out)
        .status()
        .expect("rustc runs");
    assert!(status.success(), "compiling {}", source.display());
}

/// Builds a C program with `musl-gcc -static -O2 -Wall`: a Linux executable, or (with
/// `platform`) a unikernel, the linker swapped for ukl through `-B` and `UKL_PLAT`.
pub fn musl_gcc(source: &Path, output: &Path, platform: Option<&str>) {
    let mut command = Command::new("musl-gcc");
    command
        .args(["-static", "-O2", "-Wall"])
        .arg(source)
        .arg("-o")
        .arg(output)
        .env("UKL_HOME", home())
        .env_remove("UKL_PLAT");
    if let Some(platform) = platform {
        let dir = output.with_extension("ld");
        std::fs::create_dir_all(&dir).expect("a directory for ld");
        let ld = dir.join("ld");
        let _ = std::fs::remove_file(&ld);
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ukl"), &ld).expect("ld → ukl");
        command.arg("-B").arg(&dir).env("UKL_PLAT", platform);
    }
    let out = command
        .output()
        .expect("musl-gcc runs (apt-get install musl-tools)");
    assert!(
        out.status.success(),
        "musl-gcc {}: {}",
        source.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

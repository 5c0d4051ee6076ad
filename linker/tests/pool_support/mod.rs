//! A throwaway pool for the pool builder's tests: two rlib libraries (one with C code built by the
//! `cc` crate) and one staticlib runtime, written into a temporary folder with the same layout
//! as a ukl checkout (`registry.toml`, `pool-src/`, `prebuilt/`).

#![allow(
    dead_code,
    reason = "each test file uses a different part of this module"
)]

use std::fs;
use std::path::{Path, PathBuf};

/// Files of the throwaway pool, relative to the checkout root.
pub const FILES: &[(&str, &str)] = &[
    (
        "registry.toml",
        r#"[[library]]
name = "alpha"
version = "0.1.0"
kind = "lib"
description = "Rust calling C calling Rust"
exports = "pool-src/libs/alpha/exports.txt"
dependencies = []
platforms = "all"
provides = []

[[library]]
name = "beta"
version = "0.2.0"
kind = "lib"
description = "defines the same private name as alpha; needs core"
exports = "pool-src/libs/beta/exports.txt"
dependencies = ["tiny_rt"]
platforms = ["kvm"]
provides = ["beta"]

[[library]]
name = "tiny_rt"
version = "0.1.0"
kind = "runtime"
description = "staticlib with core and compiler_builtins"
exports = "pool-src/libs/tiny_rt/exports.txt"
platforms = "all"
"#,
    ),
    (
        "pool-src/Cargo.toml",
        r#"[workspace]
resolver = "2"
members = ["libs/*"]

[profile.release]
panic = "abort"
opt-level = 2
# Line tables put absolute paths into the objects: the remapping must remove them.
debug = "line-tables-only"
codegen-units = 1
incremental = false
"#,
    ),
    (
        "pool-src/.cargo/config.toml",
        r#"[build]
target = "x86_64-unknown-linux-gnu"
rustflags = ["-C", "relocation-model=static", "-C", "no-redzone=yes", "-C", "target-cpu=x86-64", "-C", "force-frame-pointers=yes"]
"#,
    ),
    (
        "pool-src/libs/alpha/Cargo.toml",
        r#"[package]
name = "alpha"
version = "0.1.0"
edition = "2021"

[lib]
crate-type = ["rlib"]

[build-dependencies]
cc = "1"
"#,
    ),
    (
        "pool-src/libs/alpha/build.rs",
        r#"fn main() {
    println!("cargo:rerun-if-changed=c/alpha.c");
    cc::Build::new()
        .file("c/alpha.c")
        .flag("-ffreestanding")
        .flag("-fno-pic")
        .flag("-mno-red-zone")
        .flag("-g")
        .compile("alpha_c");
}
"#,
    ),
    (
        "pool-src/libs/alpha/c/alpha.c",
        r#"int alpha_from_c(int x);

int alpha_c_twice(int x) { return 2 * alpha_from_c(x); }

const char *alpha_c_where(void) { return __FILE__; }
"#,
    ),
    (
        "pool-src/libs/alpha/exports.txt",
        "# alpha's C ABI\nalpha_compute\nalpha_c_where\n",
    ),
    (
        "pool-src/libs/alpha/src/lib.rs",
        r#"#![no_std]

extern "C" {
    fn alpha_c_twice(x: i32) -> i32;
}

#[no_mangle]
pub extern "C" fn alpha_compute(x: i32) -> i32 {
    // SAFETY: a plain C function.
    unsafe { alpha_c_twice(x) + shared_helper(1) }
}

#[no_mangle]
#[inline(never)]
pub extern "C" fn shared_helper(x: i32) -> i32 {
    core::hint::black_box(x) + 100
}

#[no_mangle]
pub extern "C" fn alpha_from_c(x: i32) -> i32 {
    x * 3
}
"#,
    ),
    (
        "pool-src/libs/beta/Cargo.toml",
        r#"[package]
name = "beta"
version = "0.2.0"
edition = "2021"

[lib]
crate-type = ["rlib"]
"#,
    ),
    ("pool-src/libs/beta/exports.txt", "beta_*\n"),
    (
        "pool-src/libs/beta/src/lib.rs",
        r#"#![no_std]

#[no_mangle]
pub extern "C" fn beta_value() -> i32 {
    shared_helper(2)
}

#[no_mangle]
#[inline(never)]
pub extern "C" fn shared_helper(x: i32) -> i32 {
    core::hint::black_box(x) + 200
}

#[no_mangle]
pub extern "C" fn beta_div(a: i32, b: i32) -> i32 {
    core::hint::black_box(a) / core::hint::black_box(b)
}
"#,
    ),
    (
        "pool-src/libs/tiny_rt/Cargo.toml",
        r#"[package]
name = "tiny_rt"
version = "0.1.0"
edition = "2021"

[lib]
crate-type = ["staticlib"]
test = false
bench = false
"#,
    ),
    (
        "pool-src/libs/tiny_rt/exports.txt",
        "tiny_rt_*\nrust_eh_personality\n_R*4core*\n_R*17compiler_builtins*\n__*\n",
    ),
    (
        "pool-src/libs/tiny_rt/src/lib.rs",
        r#"#![no_std]

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    extern "C" {
        fn abort() -> !;
    }
    // SAFETY: C's abort never returns.
    unsafe { abort() }
}

#[no_mangle]
pub extern "C" fn rust_eh_personality() {}

#[no_mangle]
pub extern "C" fn tiny_rt_version() -> i32 {
    private_rt_helper() + 1
}

#[no_mangle]
#[inline(never)]
pub extern "C" fn private_rt_helper() -> i32 {
    core::hint::black_box(6)
}
"#,
    ),
];

/// Writes the throwaway pool into `root`, with `exports_extra` appended to alpha's export list.
pub fn write_pool(root: &Path, exports_extra: &str) {
    for (path, text) in FILES {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut text = (*text).to_string();
        if path.ends_with("alpha/exports.txt") {
            text.push_str(exports_extra);
        }
        fs::write(&path, text).unwrap();
    }
}

/// A temporary checkout with the throwaway pool under `<tmp>/<subdir>`.
pub fn new_checkout(subdir: &str, exports_extra: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("ukl-pool-test")
        .tempdir()
        .unwrap();
    let root = dir.path().join(subdir);
    write_pool(&root, exports_extra);
    (dir, root)
}

/// Runs a command and returns its stdout, panicking with its stderr when it fails.
pub fn run(command: &mut std::process::Command) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

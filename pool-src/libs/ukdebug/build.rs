//! Compiles ukdebug's C source with the pool's C flags against nolibc's headers; rustc bundles
//! the result into the rlib.

use std::env;
use std::path::Path;

/// The pool's C flags (docs/pool-abi.md).
const FLAGS: &[&str] = &[
    "-std=gnu11",
    "-O2",
    "-ffreestanding",
    "-fno-pic",
    "-fno-stack-protector",
    "-mno-red-zone",
    "-mcmodel=small",
    "-fno-omit-frame-pointer",
    "-fno-asynchronous-unwind-tables",
    "-ffunction-sections",
    "-fdata-sections",
    "-nostdinc",
    "-Wall",
    "-Wextra",
];

fn main() {
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest_dir);
    let mut build = cc::Build::new();
    build
        .no_default_flags(true)
        .warnings(false)
        .include(root.join("include"))
        .include(root.join("../nolibc/include"))
        .flag(format!("-ffile-prefix-map={manifest_dir}=."))
        .file(root.join("c/print.c"));
    for flag in FLAGS {
        build.flag(flag);
    }
    build.compile("ukdebug_c");
    println!("cargo:rerun-if-changed=c");
    println!("cargo:rerun-if-changed=include");
    println!("cargo:rerun-if-changed=../nolibc/include");
}

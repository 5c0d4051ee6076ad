//! Compiles allocregion's option defaults (`c/options.c`) with the pool's C flags; rustc bundles
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
        .flag(format!("-ffile-prefix-map={manifest_dir}=."))
        .file(root.join("c/options.c"));
    for flag in FLAGS {
        build.flag(flag);
    }
    build.compile("allocregion_c");
    println!("cargo:rerun-if-changed=c");
}

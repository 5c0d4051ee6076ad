//! Compiles nolibc's C sources (`c/*.c`) with the pool's C flags into a static library that
//! rustc bundles into the rlib; `ukl pool build` then repackages its objects.

use std::env;
use std::path::Path;

/// The C sources, in link order.
const SOURCES: &[&str] = &[
    "assert.c",
    "convert.c",
    "ctype.c",
    "errno.c",
    "format.c",
    "format_float.c",
    "sort.c",
    "stdio.c",
    "stdlib.c",
    "string.c",
    "strtod.c",
    "time.c",
];

/// The pool's C flags (docs/pool-abi.md) plus what a libc itself needs: no builtins, and no
/// loop-to-memcpy/memset rewriting, which would make memcpy call itself.
const FLAGS: &[&str] = &[
    "-std=gnu11",
    "-O2",
    "-ffreestanding",
    "-fno-builtin",
    "-fno-pic",
    "-fno-stack-protector",
    "-mno-red-zone",
    "-mcmodel=small",
    "-fno-omit-frame-pointer",
    "-fno-asynchronous-unwind-tables",
    "-ffunction-sections",
    "-fdata-sections",
    "-fno-tree-loop-distribute-patterns",
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
        .flag(format!("-ffile-prefix-map={manifest_dir}=."));
    for flag in FLAGS {
        build.flag(flag);
    }
    for source in SOURCES {
        build.file(root.join("c").join(source));
    }
    build.compile("nolibc_c");
    println!("cargo:rerun-if-changed=c");
    println!("cargo:rerun-if-changed=include");
}

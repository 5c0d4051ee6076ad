//! Compiles the pthread library's C source with the pool's C flags (against nolibc's, uksched's
//! and arch_x86_64's headers) into a static library that rustc bundles into the rlib; `ukl pool
//! build` then repackages its objects.

use std::env;
use std::path::Path;

/// The C sources, in link order.
const SOURCES: &[&str] = &["pthread.c"];

/// The pool's C flags (docs/pool-abi.md), as nolibc uses them.
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
        .include(root.join("../nolibc/include"))
        .include(root.join("../uksched/include"))
        .include(root.join("../arch_x86_64/include"))
        .flag(format!("-ffile-prefix-map={manifest_dir}=."));
    for flag in FLAGS {
        build.flag(flag);
    }
    for source in SOURCES {
        build.file(root.join("c").join(source));
    }
    build.compile("pthread_c");
    println!("cargo:rerun-if-changed=c");
    println!("cargo:rerun-if-changed=../nolibc/include");
    println!("cargo:rerun-if-changed=../uksched/include");
}

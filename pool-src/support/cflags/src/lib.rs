//! The pool's C flags and `cc` setup for the build scripts of pool libraries with C sources (a
//! build-dependency, not a pool library: nothing of it ends up in an archive), so each build
//! script only lists its sources, header folders and extra flags.

use std::env;
use std::path::PathBuf;

/// The pool's C flags (docs/pool-abi.md).
pub const FLAGS: &[&str] = &[
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

/// What a libc, and C code built against it as if part of it, needs on top: no builtins, and
/// no loop-to-memcpy/memset rewriting, which would make memcpy call itself.
pub const LIBC_FLAGS: &[&str] = &["-fno-builtin", "-fno-tree-loop-distribute-patterns"];

/// The C part of the library whose build script runs.
pub struct CLibrary {
    root: PathBuf,
    build: cc::Build,
}

impl CLibrary {
    /// Only the pool's flags (none of cc's defaults), and paths in the objects relative to the
    /// library, so that archives do not depend on where the checkout is.
    pub fn new() -> Self {
        let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
        let mut build = cc::Build::new();
        build
            .no_default_flags(true)
            .warnings(false)
            .flag(format!("-ffile-prefix-map={manifest_dir}=."));
        for flag in FLAGS {
            build.flag(flag);
        }
        CLibrary {
            root: PathBuf::from(manifest_dir),
            build,
        }
    }

    /// Adds [`LIBC_FLAGS`].
    pub fn libc_flags(mut self) -> Self {
        for flag in LIBC_FLAGS {
            self.build.flag(flag);
        }
        self
    }

    /// A header folder, relative to the library; changes in it rebuild the C code.
    pub fn include(mut self, dir: &str) -> Self {
        self.build.include(self.root.join(dir));
        println!("cargo:rerun-if-changed={dir}");
        self
    }

    /// Sources in the library's `c/` folder, in link order.
    pub fn sources(mut self, names: &[&str]) -> Self {
        for name in names {
            self.build.file(self.root.join("c").join(name));
        }
        self
    }

    /// Compiles into a static library `name` that rustc bundles into the rlib (`ukl pool build`
    /// then repackages its objects); changes in `c/` rebuild it.
    pub fn compile(self, name: &str) {
        self.build.compile(name);
        println!("cargo:rerun-if-changed=c");
    }
}

impl Default for CLibrary {
    fn default() -> Self {
        Self::new()
    }
}

//! Compiles allocregion's option defaults (`c/options.c`) with the pool's C flags (see the
//! `cflags` support crate).

fn main() {
    cflags::CLibrary::new()
        .sources(&["options.c"])
        .compile("allocregion_c");
}

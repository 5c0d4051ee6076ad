//! Compiles ukdebug's C source with the pool's C flags (see the `cflags` support crate) against
//! nolibc's headers.

fn main() {
    cflags::CLibrary::new()
        .include("include")
        .include("../nolibc/include")
        .sources(&["print.c"])
        .compile("ukdebug_c");
}

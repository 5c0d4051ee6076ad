//! Compiles nolibc's C sources (`c/*.c`) with the pool's C flags plus what a libc itself needs
//! (see the `cflags` support crate).

fn main() {
    cflags::CLibrary::new()
        .libc_flags()
        .include("include")
        .sources(&[
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
        ])
        .compile("nolibc_c");
}

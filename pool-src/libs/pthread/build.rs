//! Compiles the pthread library's C source with the pool's C flags, as nolibc uses them (see
//! the `cflags` support crate), against nolibc's, uksched's and arch_x86_64's headers.

fn main() {
    cflags::CLibrary::new()
        .libc_flags()
        .include("../nolibc/include")
        .include("../uksched/include")
        .include("../arch_x86_64/include")
        .sources(&["pthread.c"])
        .compile("pthread_c");
}

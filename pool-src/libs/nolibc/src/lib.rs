//! nolibc: a small freestanding C library for the pool, written in C (`c/*.c`, compiled by
//! `build.rs` and bundled into this rlib).
//!
//! - `string.h`: `memcpy` & co. (which core, alloc and compiler_builtins call too), `str*`;
//! - `stdio.h`: the printf family and `puts`/`fputs`/`putchar`, writing to the platform console
//!   (`ukplat_console_write`); `stdout` and `stderr` are the only streams;
//! - `stdlib.h`: `malloc` & co. over ukalloc, `exit`/`atexit`/`abort` over `ukplat_terminate`,
//!   `strtol` family, `strtod`, `qsort`, `bsearch`, `rand`;
//! - `errno`: one global `int` reached through `__errno_location()`.
//!
//! There is no Rust code: the crate exists so that cargo and `ukl pool build` treat nolibc like
//! every other pool library.

#![no_std]

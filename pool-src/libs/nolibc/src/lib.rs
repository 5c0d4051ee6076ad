//! nolibc: a small freestanding C library for the pool, written in C (`c/*.c`, compiled by
//! `build.rs` and bundled into this rlib).
//!
//! - `string.h`: `memcpy` & co. (which core, alloc and compiler_builtins call too), `str*`;
//! - `stdio.h`: the printf family and `puts`/`fputs`/`putchar`, writing to the platform console
//!   (`ukplat_console_write`); `stdout` and `stderr` are the only streams;
//! - `stdlib.h`: `malloc` & co. over ukalloc, `exit`/`atexit`/`abort` over `ukplat_terminate`,
//!   `strtol` family, `strtod`, `qsort`, `bsearch`, `rand`;
//! - `errno`: one global `int` reached through `__errno_location()`;
//! - `math.h`: the functions it declares, in Rust over the `libm` crate ([`math`]).

#![no_std]

pub mod math;

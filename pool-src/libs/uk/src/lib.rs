//! uk: the Rust API for ukl applications.
//!
//! An application is a `#![no_std]` library crate compiled to one object with
//! `--crate-type lib --emit=obj` and linked by `ukl` with the pool; the boot library calls its
//! `main`:
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//! use uk::prelude::*;
//!
//! #[no_mangle]
//! pub extern "C" fn main(argc: i32, argv: *const *const u8) -> i32 {
//!     let names: Vec<String> = unsafe { uk::args(argc, argv) }.map(String::from).collect();
//!     uk::println!("hello from {}", names[0]);
//!     0
//! }
//! ```
//!
//! Every item here is a macro or an `#[inline]` function, so that its code is generated into
//! the application's object: the application needs this crate's source (or rlib) to compile,
//! but nothing of it at link time. `alloc` works because the pool's `rust_rt` provides the
//! global allocator.

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub extern crate alloc;

mod args;
pub mod console;
pub mod memory;
pub mod net;
pub mod time;

pub use args::{args, Args};

/// The names most applications want: `Vec`, `String`, `Box`, `ToString`, `format!`, `vec!`
/// and the printing macros.
pub mod prelude {
    pub use crate::{eprint, eprintln, print, println};
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::format;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

extern "C" {
    #[link_name = "exit"]
    fn libc_exit(status: i32) -> !;
}

/// Ends the unikernel with `status` after running the C `atexit` handlers (nolibc's `exit`).
#[inline]
pub fn exit(status: i32) -> ! {
    // SAFETY: `exit` takes any status and does not return.
    unsafe { libc_exit(status) }
}

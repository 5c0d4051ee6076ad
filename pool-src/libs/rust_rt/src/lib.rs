//! The Rust runtime of the pool: links core, alloc and compiler_builtins into one archive and
//! provides what they expect from a final artifact.
//!
//! - a `#[global_allocator]` that forwards to the pool's allocator API (`uk_malloc` & co.), so
//!   that rustc emits the allocator shim (`__rust_alloc`, mangled per toolchain) here, once, for
//!   every pool rlib and every Rust application;
//! - the `#[panic_handler]`: prints `panicked at FILE:LINE:COL:` and the message on the console
//!   and ends the unikernel with status 101;
//! - an empty `rust_eh_personality` and an `_Unwind_Resume` that stops the unikernel: the
//!   sysroot's core and alloc are compiled for unwinding and reference both from their landing
//!   pads, although nothing unwinds here (`panic = "abort"`, the panic handler never returns).
//!
//! `memcpy`, `memmove`, `memset`, `memcmp`, `bcmp` and `strlen`, which core and compiler_builtins
//! call, come from the pool's libc (`nolibc`), not from here.

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

// Pull alloc into the crate graph so that the staticlib bundles it.
extern crate alloc;

mod allocator;
mod console;
mod panic;

/// Personality routine referenced by the sysroot's alloc; never called because nothing unwinds.
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}

/// Resumes unwinding after a landing pad in the sysroot's code. Unreachable with
/// `panic = "abort"`; if it is reached anyway, stop like a panic does.
#[no_mangle]
pub extern "C" fn _Unwind_Resume() -> ! {
    panic::unexpected_unwind()
}

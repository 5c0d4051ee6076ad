//! ukl boot library: init hooks, constructors, `argv`, `main`, termination.
//!
//! Exports: `uk_boot_set_app_entry` (an init hook registers an entry that replaces `main`,
//! e.g. `musl_start`), `uk_boot_main` (called by the platform once the console, memory regions and clock are
//! ready) and `uk_boot_main_argv` (the same, for a platform that has real arguments), `uk_idle`/`uk_idle_set`
//! (the idle hook that polling loops call, see `idle`), `uk_boot_exit` (a normal end: the exit
//! hooks of `.uk_exittab`, then `ukplat_terminate`). Imports: `ukplat_cmdline`, `ukplat_console_write`, `ukplat_terminate`, the
//! application's `main`, and the link-script symbols `__uk_inittab_start`/`_end`,
//! `__uk_exittab_start`/`_end` and `__init_array_start`/`_end`.
//!
//! Rust libraries register an init hook like this (the Rust twin of C's `UK_INIT_HOOK`):
//!
//! ```ignore
//! extern "C" fn my_init() -> i32 { 0 }
//!
//! #[used]
//! #[link_section = ".uk_inittab.20"]
//! static MY_INIT: extern "C" fn() -> i32 = my_init;
//! ```
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![cfg_attr(
    test,
    allow(dead_code, reason = "host unit tests build without the entry point")
)]

mod argv;
mod constructors;
#[cfg(not(test))]
mod entry;
#[cfg(not(test))]
mod exittab;
mod idle;
mod inittab;

#[cfg(not(test))]
pub use entry::{
    uk_boot_environ, uk_boot_main, uk_boot_main_argv, uk_boot_set_app_entry, uk_boot_set_environ,
};
#[cfg(not(test))]
pub use exittab::uk_boot_exit;
pub use idle::{uk_idle, uk_idle_set};

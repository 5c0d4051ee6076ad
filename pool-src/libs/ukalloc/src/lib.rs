//! ukalloc: the pool's allocator API.
//!
//! The `uk_*` functions of `include/uk/alloc.h` dispatch to the operations table of the one
//! registered implementation (`uk_alloc_register`). This layer adds what every implementation
//! would otherwise repeat: argument checks, `calloc`'s overflow check and zeroing, `realloc`'s
//! corner cases and its move fallback. Implementations lock themselves if they need to.

#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod api;
mod ops;

pub use ops::{AllocOps, AllocStats};

#[cfg(test)]
mod tests;

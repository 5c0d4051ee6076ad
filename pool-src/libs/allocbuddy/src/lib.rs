//! allocbuddy: a binary buddy allocator for the pool's allocator API (`ukalloc`).
//!
//! Blocks are powers of two from 32 bytes up, always aligned to their own size (absolute
//! addresses, so `memalign` is just a bigger order). Each memory region becomes a zone with a
//! one-byte-per-32-bytes table that marks where free and used blocks start and their order, so
//! freeing needs no header in the block and page-sized requests cost exactly a page. Big
//! requests may take a span of whole pages instead, so they are not rounded up to a power of
//! two and may exceed the largest aligned block.
//!
//! The core (`heap::BuddyHeap`) is plain memory arithmetic and is unit-tested on the host;
//! `glue` wraps one global heap in a lock, exposes it as a `struct uk_alloc_ops`, and
//! initializes it from the platform's memory regions through the boot library's init table.

#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod free_list;
mod heap;
mod order;
mod zone;

#[cfg(not(test))]
mod glue;

//! allocregion: a region (bump) allocator for the pool's allocator API (`ukalloc`), the
//! alternative to allocbuddy for the `allocator` capability.
//!
//! Each free memory region is used from its start upwards: a block is the next suitably aligned
//! address after a 16-byte header (a magic word and the block's size). Memory is never reused,
//! except that freeing the most recent block of a region moves that region's end back, so
//! a stack-like pattern (allocate, free, allocate) does not grow. Allocation is a few additions,
//! the code is small, and the heap can never fragment.
//!
//! The core (`region::RegionHeap`) is plain arithmetic over addresses and is unit-tested on the
//! host; `glue` wraps one global heap in a lock and offers it to ukalloc.

#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod region;

#[cfg(not(test))]
mod glue;

//! schedcoop: a cooperative, round-robin scheduler implementing uksched's `struct
//! uk_sched_ops`.
//!
//! Threads run until they yield, block, sleep or exit; runnable threads are served first in,
//! first out. Blocked threads with a deadline wait in a queue sorted by deadline. When nothing
//! is runnable, the idle loop halts the CPU until the earliest deadline or a device interrupt
//! (`ukplat_halt_irq_until`), so an idle guest costs its host nothing. If every thread waits
//! without a deadline and no device interrupt handler exists, nothing can ever wake them: the
//! image ends (status 0 when no thread is left, a crash report "deadlock" otherwise).
//!
//! The queues (`queue.rs`) are plain pointer manipulation and are unit-tested on the host;
//! `glue.rs` binds them to uksched and the platform.

#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

#[cfg(not(test))]
mod glue;
mod queue;

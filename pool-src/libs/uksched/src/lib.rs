//! uksched: the pool's scheduler API (`include/uk/sched.h`) for one CPU.
//!
//! This library holds the mechanism that every scheduler shares: thread objects (stacks from
//! `uk_malloc`, a canary at the bottom of each, contexts from `ukarch_ctx_*`), joining and
//! detaching, sleeping, wait queues with deadlines, mutexes and semaphores, and the switch
//! itself (with the errno of each thread saved and restored). A scheduler implementation
//! registered with `uk_sched_register` (schedcoop by default) owns the policy: its run queue,
//! the timeouts of blocked threads, and what the CPU does when nothing is runnable.
//!
//! Concurrency: one CPU; scheduler state is only touched with interrupts disabled, so interrupt
//! handlers may wake threads (`uk_waitq_wake_*`, `uk_semaphore_up`).

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod ffi;
mod lock;
mod ops;
mod thread;
mod waitq;

pub use thread::Thread;

//! ukl linux_syscall: the Linux x86_64 system call ABI served in ring 0, so that an unmodified
//! static C library (musl's libc.a) runs on the pool.
//!
//! The `syscall` instruction jumps to [`entry`]'s stub through `LSTAR`; the stub saves the
//! caller's state and calls [`table::dispatch`], which routes each call to a service module:
//! [`memory`] (mmap & co. over ukalloc, page-aligned), [`files`] (descriptors over the console
//! and the RAM filesystem of [`vfs`] (file bytes in [`filedata`], which shared mappings
//! alias), filled from a cpio [`initrd`]; [`meta`] for modes and times, [`links`] for hard and
//! symbolic links and renames; [`copy`] for sendfile and positioned vectors), [`time`] (platform clocks),
//! [`process`] (exit, identity), [`signals`] (handlers run for signals a program sends itself
//! and for interval timers ([`itimer`]: `setitimer`, `alarm`), `abort()` as a crash report) and
//! [`system`] (CPUs, memory, resource usage, ids, priority, the process name), [`futex`] (for
//! a program without the thread library: waits that end by timeout or signal); pipes, eventfd
//! and epoll ([`pipes`], [`epoll`]), timers ([`timerfd`]) and local socket pairs
//! ([`socketpair`]) are objects of the descriptor table; [`devices`] serves `/dev` and [`etc`]
//! the usual `/etc` files.
//! Every other call returns `-ENOSYS` and is logged once by name ([`names`]), and so is every
//! refused sub-operation of an implemented call (`table::unsupported`: a futex operation, an
//! fcntl command, a prctl option; `uk_syscall_unsupported` for the libraries that serve call
//! families).
//!
//! Exports: `uk_syscall` (the table, callable from C), `uk_syscall_entry`, `uk_syscall_init`,
//! `uk_syscall_unimplemented_count`. Imports: `ukplat_console_write`, `ukplat_monotonic_ns`,
//! `ukplat_wall_ns`, `uk_boot_exit`, `ukplat_memregion_*`, `ukarch_crash`, `uk_memalign`,
//! `uk_free`, `uk_malloc_usable_size`, and the global allocator (`rust_rt`).
//!
//! Everything here assumes one CPU and no preemption inside a call (the pool has no threads
//! yet): the global state lives in [`cell::Global`].
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![cfg_attr(
    test,
    allow(dead_code, reason = "host unit tests cover the pure modules only")
)]

extern crate alloc;

mod cell;
#[cfg(not(test))]
mod console_in;
#[cfg(not(test))]
mod copy;
#[cfg(not(test))]
mod devices;
#[cfg(not(test))]
mod entry;
#[cfg(not(test))]
mod epoll;
mod errno;
#[cfg(not(test))]
mod etc;
mod filedata;
#[cfg(not(test))]
mod files;
#[cfg(not(test))]
mod futex;
#[cfg(not(test))]
mod host;
pub mod initrd;
#[cfg(not(test))]
mod itimer;
#[cfg(not(test))]
mod links;
#[cfg(not(test))]
mod memory;
#[cfg(not(test))]
mod meta;
mod names;
#[cfg(not(test))]
mod objects;
#[cfg(not(test))]
mod pipes;
#[cfg(not(test))]
mod platform;
#[cfg(not(test))]
mod process;
#[cfg(not(test))]
mod signal_frame;
#[cfg(not(test))]
mod signals;
#[cfg(not(test))]
mod socketpair;
#[cfg(not(test))]
mod system;
#[cfg(not(test))]
mod table;
#[cfg(not(test))]
mod time;
#[cfg(not(test))]
mod timerfd;
pub mod vfs;
#[cfg(not(test))]
mod wait;

/// Enables the `syscall` instruction (in ring 0: on linuxu the process's calls reach the
/// table through `linux_syscall_trap` instead) and mounts the initrd. Idempotent.
#[cfg(not(test))]
#[no_mangle]
pub extern "C" fn uk_syscall_init() -> i32 {
    static MOUNTED: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);
    if entry::in_ring0() {
        entry::enable();
        // SAFETY: the hook runs at the end of interrupts, with their frames (see its docs).
        unsafe { platform::ukarch_irq_return_hook(Some(signal_frame::at_interrupt)) };
    }
    if !MOUNTED.swap(true, core::sync::atomic::Ordering::Relaxed) {
        files::mount_initrd();
        files::fill_etc();
    }
    0
}

/// Runs after the allocator registers itself (priority 01): the initrd is copied into the heap.
#[cfg(not(test))]
#[used]
#[link_section = ".uk_inittab.02"]
static SYSCALL_INIT: extern "C" fn() -> i32 = uk_syscall_init;

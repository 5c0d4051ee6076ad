//! linux_syscall_trap: on linuxu, the process's file calls are served by linux_syscall's table,
//! so an initrd is the program's file system exactly as on kvm and xen, and every other call
//! goes to the host kernel unchanged.
//!
//! The mechanism is the kernel's own: a seccomp filter ([`filter`]) returns
//! `SECCOMP_RET_TRAP` for the calls that touch paths or descriptors (and file mappings), so the
//! kernel raises `SIGSYS` instead of running them; the handler ([`trap`]) hands the caller's
//! registers to `uk_syscall_frame` and puts the result in rax. The table, in host mode, serves
//! paths from its RAM filesystem and passes calls on descriptors and mappings it does not own
//! back to the host. The pool's own calls (console, TAP device, the pass-through itself) go
//! through plat_linuxu's system call gate, whose instruction pointer the filter lets through.
//! Memory, threads (`clone`, `futex`), time, signals and sockets are never trapped.
//!
//! Without an initrd nothing is installed: the host kernel serves everything, as for any
//! Linux program. The filter cannot be removed again and is inherited by threads.

#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod filter;
#[cfg(not(test))]
mod trap;

#[cfg(not(test))]
pub use trap::uk_syscall_trap_init;

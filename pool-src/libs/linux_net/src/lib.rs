//! linux_net: the Linux socket system calls for `linux_syscall`, served by netstack, so that
//! a C program built against musl uses the unikernel's TCP/IP stack unmodified.
//!
//! A socket is a netstack socket id behind a descriptor of linux_syscall's table (installed
//! with `uk_syscall_fd_open` and the [`ops::OPS`] table), so `read`, `write`, `readv`,
//! `writev`, `close`, `dup`, `fcntl(O_NONBLOCK)`, `ioctl(FIONBIO)`, `fstat`, `poll` and
//! `select` work on it like on any descriptor. [`calls`] serves socket, bind, listen, accept,
//! accept4, connect, sendto, recvfrom, sendmsg, recvmsg, shutdown, getsockname, getpeername,
//! setsockopt and getsockopt; on a descriptor that is not a netstack socket (a local socket
//! pair's end, served by linux_syscall itself) it hands the call back to linux_syscall's table
//! (`uk_syscall_builtin`). Blocking calls wait in netstack, which lets other threads run
//! meanwhile (`uk_idle`).
//!
//! The handlers are registered from the init table; `ukl ld` links this library when the
//! program's C library brings in `socket` (registry.toml, `[[system_library]] serves`).

#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

extern crate alloc;

mod calls;
mod ffi;
mod ops;

use core::sync::atomic::{AtomicBool, Ordering};

/// Registers the socket calls. Idempotent.
#[no_mangle]
pub extern "C" fn uk_linux_net_init() -> i32 {
    static DONE: AtomicBool = AtomicBool::new(false);
    if DONE.swap(true, Ordering::Relaxed) {
        return 0;
    }
    for (number, handler) in calls::HANDLERS {
        // SAFETY: each handler serves the call it is registered for.
        unsafe { ffi::uk_syscall_register(number, Some(handler)) };
    }
    // SAFETY: a signal the calling thread can take ends a blocking socket call, as on Linux.
    unsafe { ffi::uk_netstack_interrupt_hook(Some(ffi::uk_signal_interrupted)) };
    0
}

#[used]
#[link_section = ".uk_inittab.03"]
static INIT: extern "C" fn() -> i32 = uk_linux_net_init;

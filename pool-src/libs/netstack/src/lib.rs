//! netstack: a TCP/IP stack for the unikernel on smoltcp (IPv4 with static configuration or
//! DHCP, TCP, UDP) over the netdev device API, with a handle-based socket API for C,
//! `uk_netstack_*` (socket ids, negative errno values; no descriptors, no `errno`).
//!
//! Modules: `device` (smoltcp's `phy::Device` over netdev), `config` (addressing from the
//! command line), `stack` (the interface, socket set and polling loop), `file` (open sockets
//! and their smoltcp sockets), `api` (`uk_netstack_socket`, `_bind`, `_accept`, `_sendto`,
//! `_readiness`, ...), `sockaddr`, `errno`.
//!
//! The stack starts from an init hook at priority 20, after the drivers (10). The POSIX names
//! (`socket`, `poll`, `select`, ...) for nolibc programs and for `uk::net` are in the
//! `posix_socket` library; musl programs reach netstack through `linux_syscall`.

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

extern crate alloc;

mod api;
mod config;
mod device;
mod errno;
mod file;
mod sockaddr;
mod stack;

use core::ffi::c_int;
use core::fmt::Write;

use smoltcp::time::Duration;

extern "C" {
    fn uk_pr_write(level: c_int, msg: *const u8, len: usize);
}

/// Log through ukdebug (level 3, info), formatted into a stack buffer.
fn log(args: core::fmt::Arguments) {
    struct Line([u8; 128], usize);
    impl Write for Line {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let n = s.len().min(self.0.len() - self.1);
            self.0[self.1..self.1 + n].copy_from_slice(&s.as_bytes()[..n]);
            self.1 += n;
            Ok(())
        }
    }
    let mut line = Line([0; 128], 0);
    let _ = line.write_fmt(args);
    let _ = line.write_str("\n");
    // SAFETY: ukdebug copies `len` bytes from a buffer valid for the call.
    unsafe { uk_pr_write(3, line.0.as_ptr(), line.1) };
}

/// Polls the device and the stack once: what blocking calls do in their loop. Applications
/// that spin on non-blocking sockets without calling poll/select may call it themselves.
#[no_mangle]
pub extern "C" fn uk_netstack_poll() -> c_int {
    match stack::with(|net| net.poll()) {
        Some(()) => 0,
        None => -19,
    }
}

/// The interface's IPv4 address (network byte order) and prefix length: 0, or -ENETDOWN.
///
/// # Safety
/// `address` and `prefix` are writable (or null).
#[no_mangle]
pub unsafe extern "C" fn uk_netstack_ipv4(address: *mut u32, prefix: *mut u8) -> c_int {
    match stack::with(|net| net.address()).flatten() {
        Some(cidr) => {
            // SAFETY: the caller passes writable pointers or null.
            unsafe {
                if !address.is_null() {
                    *address = u32::from_ne_bytes(cidr.address().octets());
                }
                if !prefix.is_null() {
                    *prefix = cidr.prefix_len();
                }
            }
            0
        }
        None => -100,
    }
}

extern "C" fn init_hook() -> c_int {
    if stack::start(Duration::from_secs(10)) != 0 {
        log(format_args!("netstack: no network device"));
        return 0;
    }
    match stack::with(|net| (net.address(), net.dhcp.is_some())) {
        Some((Some(cidr), dhcp)) => log(format_args!(
            "netstack: {} ({})",
            cidr,
            if dhcp { "dhcp" } else { "static" }
        )),
        _ => log(format_args!("netstack: no address yet (dhcp)")),
    }
    0
}

#[used]
#[link_section = ".uk_inittab.20"]
static INIT: extern "C" fn() -> c_int = init_hook;

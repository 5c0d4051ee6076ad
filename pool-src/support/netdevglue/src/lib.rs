//! The netdev side of a network driver (a support crate, not a pool library: every driver that
//! uses it gets a private copy): the `struct uk_netdev_ops` table and the registration call.

#![no_std]

use core::ffi::{c_char, c_int, c_void, CStr};

/// Sends one frame from device `dev`: 0 or a negated errno.
pub type Transmit = unsafe extern "C" fn(*mut c_void, *const c_void, usize) -> c_int;
/// Receives one frame into a buffer of the given capacity: its length, 0 if none, or a negated
/// errno.
pub type Receive = unsafe extern "C" fn(*mut c_void, *mut c_void, usize) -> c_int;

/// `struct uk_netdev_ops` (netdev's `include/uk/netdev.h`).
#[repr(C)]
pub struct NetdevOps {
    name: *const c_char,
    transmit: Transmit,
    receive: Receive,
}

// SAFETY: immutable (no public fields, no mutating methods); its only pointer is to a `'static`
// string.
unsafe impl Sync for NetdevOps {}

impl NetdevOps {
    pub const fn new(name: &'static CStr, transmit: Transmit, receive: Receive) -> Self {
        NetdevOps {
            name: name.as_ptr(),
            transmit,
            receive,
        }
    }
}

extern "C" {
    fn uk_netdev_register(
        ops: *const NetdevOps,
        dev: *mut c_void,
        mac: *const u8,
        mtu: u16,
    ) -> c_int;
}

/// Registers device `dev` with netdev: its index, or a negated errno.
///
/// # Safety
///
/// `dev` is what `ops`' functions expect and stays valid for the rest of the run.
pub unsafe fn register(
    ops: &'static NetdevOps,
    dev: *mut c_void,
    mac: &[u8; 6],
    mtu: u16,
) -> c_int {
    // SAFETY: `ops` is static, `mac` is read during the call only (netdev copies it), and the
    // caller vouches for `dev`.
    unsafe { uk_netdev_register(ops, dev, mac.as_ptr(), mtu) }
}

//! netdev: the pool's network device API (`include/uk/netdev.h`).
//!
//! Drivers register devices with an operations table; stacks reach them by index. The library
//! only dispatches: it owns no buffers, so every frame is copied by the driver (see the
//! header for the ownership rules). The pool runs on one CPU without preemption, so the table
//! needs no lock: registration happens from init hooks, before `main`.

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

use core::cell::UnsafeCell;
use core::ffi::{c_char, c_int, c_void};

const ENODEV: c_int = -19;
const ENOSPC: c_int = -28;
const EINVAL: c_int = -22;
/// `UK_NETDEV_MAX`.
const MAX_DEVICES: usize = 4;

/// `struct uk_netdev_ops`.
#[repr(C)]
pub struct NetdevOps {
    pub name: *const c_char,
    pub transmit: unsafe extern "C" fn(*mut c_void, *const c_void, usize) -> c_int,
    pub receive: unsafe extern "C" fn(*mut c_void, *mut c_void, usize) -> c_int,
}

/// `struct uk_netdev_info`.
#[repr(C)]
pub struct NetdevInfo {
    pub name: *const c_char,
    pub mac: [u8; 6],
    pub mtu: u16,
}

#[derive(Clone, Copy)]
struct Device {
    ops: *const NetdevOps,
    dev: *mut c_void,
    mac: [u8; 6],
    mtu: u16,
}

struct Table {
    devices: [Option<Device>; MAX_DEVICES],
    count: usize,
}

/// The device table behind an `UnsafeCell`.
struct Shared(UnsafeCell<Table>);

// SAFETY: the pool runs on a single CPU and nothing here is called from interrupt context, so
// accesses never overlap.
unsafe impl Sync for Shared {}

static TABLE: Shared = Shared(UnsafeCell::new(Table {
    devices: [None; MAX_DEVICES],
    count: 0,
}));

fn device(index: c_int) -> Option<Device> {
    // SAFETY: single CPU, no re-entrancy (see `Shared`); the borrow ends in this function.
    let table = unsafe { &*TABLE.0.get() };
    let index = usize::try_from(index).ok()?;
    table.devices.get(index).copied().flatten()
}

/// Registers a device; returns its index.
///
/// # Safety
/// `ops` must point to a table that lives for the rest of the run, `mac` to 6 bytes, and `dev`
/// must be what the operations expect.
#[no_mangle]
pub unsafe extern "C" fn uk_netdev_register(
    ops: *const NetdevOps,
    dev: *mut c_void,
    mac: *const u8,
    mtu: u16,
) -> c_int {
    if ops.is_null() || mac.is_null() {
        return EINVAL;
    }
    // SAFETY: single CPU, no re-entrancy (see `Shared`).
    let table = unsafe { &mut *TABLE.0.get() };
    if table.count == MAX_DEVICES {
        return ENOSPC;
    }
    let mut address = [0u8; 6];
    // SAFETY: the caller passes 6 readable bytes.
    unsafe { core::ptr::copy_nonoverlapping(mac, address.as_mut_ptr(), 6) };
    table.devices[table.count] = Some(Device {
        ops,
        dev,
        mac: address,
        mtu,
    });
    table.count += 1;
    (table.count - 1) as c_int
}

#[no_mangle]
pub extern "C" fn uk_netdev_count() -> c_int {
    // SAFETY: single CPU, no re-entrancy (see `Shared`).
    unsafe { (*TABLE.0.get()).count as c_int }
}

/// # Safety
/// `info` must be writable.
#[no_mangle]
pub unsafe extern "C" fn uk_netdev_info(index: c_int, info: *mut NetdevInfo) -> c_int {
    let Some(device) = device(index) else {
        return ENODEV;
    };
    if info.is_null() {
        return EINVAL;
    }
    // SAFETY: `ops` was valid at registration and lives forever; `info` is writable.
    unsafe {
        info.write(NetdevInfo {
            name: (*device.ops).name,
            mac: device.mac,
            mtu: device.mtu,
        });
    }
    0
}

/// # Safety
/// `frame` must hold `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn uk_netdev_transmit(
    index: c_int,
    frame: *const c_void,
    len: usize,
) -> c_int {
    let Some(device) = device(index) else {
        return ENODEV;
    };
    // SAFETY: the driver's operation with its own device pointer; the caller vouches for frame.
    unsafe { ((*device.ops).transmit)(device.dev, frame, len) }
}

/// # Safety
/// `buf` must hold `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn uk_netdev_receive(index: c_int, buf: *mut c_void, cap: usize) -> c_int {
    let Some(device) = device(index) else {
        return ENODEV;
    };
    // SAFETY: the driver's operation with its own device pointer; the caller vouches for buf.
    unsafe { ((*device.ops).receive)(device.dev, buf, cap) }
}

//! `struct sockaddr_in` to and from smoltcp endpoints.

use core::ffi::c_int;

use smoltcp::wire::{IpAddress, IpEndpoint, Ipv4Address};

use crate::errno::{EAFNOSUPPORT, EFAULT, EINVAL};

pub const AF_INET: u16 = 2;

/// `struct sockaddr_in` (16 bytes; port and address in network byte order).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SockaddrIn {
    pub family: u16,
    pub port: [u8; 2],
    pub address: [u8; 4],
    pub zero: [u8; 8],
}

/// Reads a `sockaddr_in` given as `(sockaddr *, socklen_t)`.
///
/// # Safety
/// `address` must point to `len` readable bytes (or be null).
pub unsafe fn read(address: *const u8, len: u32) -> Result<(Ipv4Address, u16), c_int> {
    if address.is_null() {
        return Err(EFAULT);
    }
    if (len as usize) < core::mem::size_of::<SockaddrIn>() {
        return Err(EINVAL);
    }
    // SAFETY: the caller vouches for `len` >= 16 readable bytes; read_unaligned copes with any
    // alignment.
    let sin = unsafe { (address as *const SockaddrIn).read_unaligned() };
    if sin.family != AF_INET {
        return Err(EAFNOSUPPORT);
    }
    Ok((Ipv4Address::from(sin.address), u16::from_be_bytes(sin.port)))
}

/// Writes an endpoint to `(sockaddr *, socklen_t *)`, truncating to the caller's length.
///
/// # Safety
/// `address` must point to `*len` writable bytes; `len` must be readable and writable. Either
/// may be null (then nothing is written).
pub unsafe fn write(address: *mut u8, len: *mut u32, endpoint: IpEndpoint) {
    if address.is_null() || len.is_null() {
        return;
    }
    let IpAddress::Ipv4(ip) = endpoint.addr;
    let sin = SockaddrIn {
        family: AF_INET,
        port: endpoint.port.to_be_bytes(),
        address: ip.octets(),
        zero: [0; 8],
    };
    let size = core::mem::size_of::<SockaddrIn>();
    // SAFETY: `len` is readable and writable; at most `*len` bytes are written to `address`.
    unsafe {
        let n = (*len as usize).min(size);
        core::ptr::copy_nonoverlapping(&sin as *const SockaddrIn as *const u8, address, n);
        *len = size as u32;
    }
}

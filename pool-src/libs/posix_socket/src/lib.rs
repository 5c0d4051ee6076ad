//! posix_socket: the BSD socket names for nolibc programs (and `uk::net`), over netstack's
//! handle-based `uk_netstack_*` API.
//!
//! Modules: `socket` (socket, bind, listen, accept, connect, send/recv, close, options, fcntl,
//! ioctl: descriptor to socket id, errno), `wait` (poll and select over many descriptors,
//! driving netstack and reading each socket's readiness), `inet` (address text conversions),
//! `netstack` (the imported API), `errno`.
//!
//! A socket's descriptor is its netstack socket id + 3: 0-2 are the console's.

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod errno;
mod inet;
mod netstack;
mod socket;
mod wait;

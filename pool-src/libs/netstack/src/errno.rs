//! Linux errno values used by the socket API (returned negated; netstack never sets `errno`).

use core::ffi::c_int;

pub const EPIPE: c_int = 32;
pub const EBADF: c_int = 9;
pub const EAGAIN: c_int = 11;
pub const EFAULT: c_int = 14;
pub const EINVAL: c_int = 22;
pub const EDESTADDRREQ: c_int = 89;
pub const EMSGSIZE: c_int = 90;
pub const ENOPROTOOPT: c_int = 92;
pub const EPROTONOSUPPORT: c_int = 93;
pub const EOPNOTSUPP: c_int = 95;
pub const EAFNOSUPPORT: c_int = 97;
pub const EADDRINUSE: c_int = 98;
pub const ENETDOWN: c_int = 100;
pub const ENETUNREACH: c_int = 101;
pub const EISCONN: c_int = 106;
pub const ENOTCONN: c_int = 107;
pub const ETIMEDOUT: c_int = 110;
pub const ECONNREFUSED: c_int = 111;
pub const EINPROGRESS: c_int = 115;

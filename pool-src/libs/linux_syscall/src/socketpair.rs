//! Local sockets: `socketpair(AF_UNIX, ...)` — two connected ends over the queues of
//! [`crate::pipes`] (stream, or datagram / sequenced-packet keeping message boundaries) — and
//! the socket calls on their ends (`send`/`recv` and their `to`/`from`/`msg` forms, `shutdown`,
//! socket options and names). No network is needed, so they work on every platform.
//!
//! When `linux_net` is linked it serves the socket calls; for a descriptor that is not one of
//! its sockets it hands the call back here ([`crate::table::uk_syscall_builtin`]). Descriptors
//! cannot be passed over a pair (`SCM_RIGHTS` control messages are refused with EOPNOTSUPP).

use crate::errno::*;
use crate::pipes;
use alloc::vec;
use alloc::vec::Vec;

const AF_UNIX: u64 = 1;
const AF_INET: u64 = 2;
const AF_INET6: u64 = 10;
const SOCK_STREAM: u32 = 1;
const SOCK_DGRAM: u32 = 2;
const SOCK_SEQPACKET: u32 = 5;
const SOCK_NONBLOCK: u64 = 0o4000;
const SOCK_CLOEXEC: u64 = 0o2000000;
const ESOCKTNOSUPPORT: i64 = 94;
const EISCONN: i64 = 106;
const MSG_PEEK: u64 = 2;
const MSG_DONTWAIT: u64 = 0x40;
const MSG_WAITALL: u64 = 0x100;
const MSG_NOSIGNAL: u64 = 0x4000;
const SOL_SOCKET: u64 = 1;
const MAX_IOV: u64 = 1024;

/// `socketpair(domain, type, protocol, sv)`.
pub fn socketpair(domain: u64, kind: u64, protocol: u64, fds: u64) -> i64 {
    match domain {
        AF_UNIX => {}
        // Internet sockets come in connections, not pairs.
        AF_INET | AF_INET6 => return -EOPNOTSUPP,
        _ => return -EAFNOSUPPORT,
    }
    if kind & !(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC) != 0 {
        return -EINVAL;
    }
    if protocol != 0 {
        return -EPROTONOSUPPORT;
    }
    if fds == 0 {
        return -EFAULT;
    }
    let socket_type = (kind & 0xf) as u32;
    let messages = match socket_type {
        SOCK_STREAM => false,
        SOCK_DGRAM | SOCK_SEQPACKET => true,
        _ => return -ESOCKTNOSUPPORT,
    };
    // SOCK_NONBLOCK and SOCK_CLOEXEC are O_NONBLOCK and O_CLOEXEC.
    pipes::socket_pair(
        fds,
        socket_type,
        messages,
        kind & (SOCK_NONBLOCK | SOCK_CLOEXEC),
    )
}

/// The pair end behind `fd`, or the error for a call on it (ENOTSOCK, EBADF).
fn end_of(fd: u64) -> Result<u64, i64> {
    pipes::socket_end(fd as i64)
}

fn result(r: Result<i64, i64>) -> i64 {
    r.unwrap_or_else(|e| -e)
}

/// The iovecs of a message (at most UIO_MAXIOV).
fn iovecs(iov: u64, count: u64) -> Result<(Vec<(u64, usize)>, usize), i64> {
    if count > MAX_IOV {
        return Err(EMSGSIZE);
    }
    crate::objects::iovecs(iov, count)
}

fn user_slice<'a>(base: u64, len: usize) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: the caller passed `len` readable bytes at `base`.
    unsafe { core::slice::from_raw_parts(base as *const u8, len) }
}

fn user_slice_mut<'a>(base: u64, len: usize) -> &'a mut [u8] {
    if len == 0 {
        return &mut [];
    }
    // SAFETY: the caller passed `len` writable bytes at `base`.
    unsafe { core::slice::from_raw_parts_mut(base as *mut u8, len) }
}

fn check_send_flags(flags: u64) -> Result<bool, i64> {
    if flags & !(MSG_DONTWAIT | MSG_NOSIGNAL) != 0 {
        return Err(EOPNOTSUPP);
    }
    Ok(flags & MSG_DONTWAIT != 0)
}

/// Receives into `out` with `flags` (MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL on a stream).
fn receive(end: u64, out: &mut [u8], flags: u64) -> i64 {
    if flags & !(MSG_DONTWAIT | MSG_PEEK | MSG_WAITALL) != 0 {
        return -EOPNOTSUPP;
    }
    let (nonblocking, peek) = (flags & MSG_DONTWAIT != 0, flags & MSG_PEEK != 0);
    let stream = pipes::socket_type(end) == SOCK_STREAM;
    let mut got = 0usize;
    loop {
        let n = pipes::receive(end, &mut out[got..], nonblocking, peek);
        if n < 0 {
            return if got > 0 { got as i64 } else { n };
        }
        got += n as usize;
        let wait_for_all = flags & MSG_WAITALL != 0 && stream && !peek && !nonblocking;
        if n == 0 || !wait_for_all || got == out.len() {
            return got as i64;
        }
    }
}

/// `sendto(fd, buffer, len, flags, address, address_len)`: a pair is connected, so an
/// address is EISCONN.
pub fn sendto(fd: u64, buffer: u64, len: u64, flags: u64, address: u64) -> i64 {
    result((|| {
        let end = end_of(fd)?;
        if address != 0 {
            return Err(EISCONN);
        }
        let nonblocking = check_send_flags(flags)?;
        Ok(pipes::send(
            end,
            user_slice(buffer, len as usize),
            nonblocking,
        ))
    })())
}

/// `recvfrom(fd, buffer, len, flags, address, address_len)`: the peer has no name, so the
/// address length comes back 0.
pub fn recvfrom(fd: u64, buffer: u64, len: u64, flags: u64, address_len: u64) -> i64 {
    result((|| {
        let end = end_of(fd)?;
        let n = receive(end, user_slice_mut(buffer, len as usize), flags);
        if n >= 0 && address_len != 0 {
            // SAFETY: the caller passed a `socklen_t *` with the address.
            unsafe { (address_len as *mut u32).write_unaligned(0) };
        }
        Ok(n)
    })())
}

/// The fields of a `struct msghdr` that matter here: iov, iovlen, controllen.
fn message(header: u64) -> Result<(u64, u64, u64), i64> {
    if header == 0 {
        return Err(EFAULT);
    }
    // SAFETY: the caller passed a `struct msghdr` (name, namelen, iov, iovlen, control,
    // controllen, flags).
    unsafe {
        let words = header as *const u64;
        Ok((
            words.add(2).read_unaligned(),
            words.add(3).read_unaligned(),
            words.add(5).read_unaligned(),
        ))
    }
}

/// `sendmsg(fd, msghdr, flags)`: the iovecs as one message.
pub fn sendmsg(fd: u64, header: u64, flags: u64) -> i64 {
    result((|| {
        let end = end_of(fd)?;
        let (iov, count, control_len) = message(header)?;
        if control_len != 0 {
            return Err(EOPNOTSUPP);
        }
        let nonblocking = check_send_flags(flags)?;
        let (segments, total) = iovecs(iov, count)?;
        let mut bytes = Vec::with_capacity(total);
        for (base, len) in segments {
            bytes.extend_from_slice(user_slice(base, len));
        }
        Ok(pipes::send(end, &bytes, nonblocking))
    })())
}

/// `recvmsg(fd, msghdr, flags)`: one receive scattered over the iovecs; no name, no control
/// messages.
pub fn recvmsg(fd: u64, header: u64, flags: u64) -> i64 {
    result((|| {
        let end = end_of(fd)?;
        let (iov, count, _) = message(header)?;
        let (segments, total) = iovecs(iov, count)?;
        let mut bounce = vec![0u8; total];
        let n = receive(end, &mut bounce, flags);
        if n < 0 {
            return Ok(n);
        }
        let mut at = 0usize;
        for (base, len) in segments {
            let take = len.min(n as usize - at);
            if take == 0 {
                break;
            }
            user_slice_mut(base, take).copy_from_slice(&bounce[at..at + take]);
            at += take;
        }
        // SAFETY: as in `message`: msg_namelen (u32 at 8), msg_controllen (at 40), msg_flags
        // (i32 at 48).
        unsafe {
            ((header + 8) as *mut u32).write_unaligned(0);
            ((header + 40) as *mut u64).write_unaligned(0);
            ((header + 48) as *mut i32).write_unaligned(0);
        }
        Ok(n)
    })())
}

/// `shutdown(fd, how)`.
pub fn shutdown(fd: u64, how: u64) -> i64 {
    result(end_of(fd).map(|end| pipes::shutdown(end, how)))
}

/// `getsockname`/`getpeername`: an unnamed AF_UNIX address (the family alone).
pub fn name(fd: u64, address: u64, len: u64) -> i64 {
    result((|| {
        end_of(fd)?;
        if address == 0 || len == 0 {
            return Err(EFAULT);
        }
        // SAFETY: the caller passed a `socklen_t *` and an address buffer of that size.
        unsafe {
            let room = (len as *const u32).read_unaligned();
            if room >= 2 {
                (address as *mut u16).write_unaligned(AF_UNIX as u16);
            }
            (len as *mut u32).write_unaligned(2);
        }
        Ok(0)
    })())
}

/// `setsockopt`: socket-level options are accepted (buffer sizes, timeouts: the queues have
/// one size and waits have no timeout); other levels are ENOPROTOOPT.
pub fn setsockopt(fd: u64, level: u64) -> i64 {
    let answer = if level == SOL_SOCKET {
        Ok(0)
    } else {
        Err(ENOPROTOOPT)
    };
    result(end_of(fd).and(answer))
}

/// `getsockopt`: SO_TYPE, SO_ERROR, SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN, SO_SNDBUF and
/// SO_RCVBUF.
pub fn getsockopt(fd: u64, level: u64, option: u64, value: u64, len: u64) -> i64 {
    const SO_TYPE: u64 = 3;
    const SO_ERROR: u64 = 4;
    const SO_SNDBUF: u64 = 7;
    const SO_RCVBUF: u64 = 8;
    const SO_ACCEPTCONN: u64 = 30;
    const SO_PROTOCOL: u64 = 38;
    const SO_DOMAIN: u64 = 39;
    result((|| {
        let end = end_of(fd)?;
        if level != SOL_SOCKET {
            return Err(ENOPROTOOPT);
        }
        let answer: i32 = match option {
            SO_TYPE => pipes::socket_type(end) as i32,
            SO_ERROR | SO_ACCEPTCONN | SO_PROTOCOL => 0,
            SO_DOMAIN => AF_UNIX as i32,
            SO_SNDBUF | SO_RCVBUF => 64 * 1024,
            _ => return Err(ENOPROTOOPT),
        };
        if value == 0 || len == 0 {
            return Err(EFAULT);
        }
        // SAFETY: the caller passed a `socklen_t *` and a value buffer of that size.
        unsafe {
            if (len as *const u32).read_unaligned() < 4 {
                return Err(EINVAL);
            }
            (value as *mut i32).write_unaligned(answer);
            (len as *mut u32).write_unaligned(4);
        }
        Ok(0)
    })())
}

/// `bind`, `listen`, `accept`, `accept4` and `connect` on a pair end: it is connected already
/// (EINVAL; EISCONN for connect). On another descriptor: ENOTSOCK.
pub fn connected(fd: u64, connect: bool) -> i64 {
    result(end_of(fd).and(Err(if connect { EISCONN } else { EINVAL })))
}

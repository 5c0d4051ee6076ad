//! `poll` and `select` over socket descriptors: each round drives netstack once
//! (`uk_netstack_poll`), reads every socket's readiness (`uk_netstack_readiness`), and calls
//! `uk_idle` before the next round, until a descriptor is ready or the timeout passes.

use core::ffi::c_int;

use crate::errno::{ret, EBADF, EFAULT, ENETDOWN};
use crate::netstack::{uk_idle, uk_netstack_poll, uk_netstack_readiness, ukplat_monotonic_ns};
use crate::socket::sock;

const POLLIN: i16 = 0x1;
const POLLOUT: i16 = 0x4;
const POLLERR: i16 = 0x8;
const POLLHUP: i16 = 0x10;
const POLLNVAL: i16 = 0x20;

/// Rounds until `attempt` answers, or until `timeout_ns` (None: forever) passes (then 0).
fn rounds(
    timeout_ns: Option<u64>,
    mut attempt: impl FnMut() -> Option<Result<c_int, c_int>>,
) -> Result<c_int, c_int> {
    // SAFETY: the platform clock, callable at any time after boot.
    let now = || unsafe { ukplat_monotonic_ns() };
    let deadline = timeout_ns.map(|t| now().saturating_add(t));
    loop {
        // SAFETY: netstack's poll takes no arguments.
        if unsafe { uk_netstack_poll() } < 0 {
            return Err(ENETDOWN);
        }
        if let Some(answer) = attempt() {
            return answer;
        }
        if deadline.is_some_and(|d| now() >= d) {
            return Ok(0);
        }
        // SAFETY: boot's idle hook; nothing is borrowed from netstack across it.
        unsafe { uk_idle() };
    }
}

/// The readiness bits of a descriptor, None when it is no socket.
fn readiness(fd: c_int) -> Option<i16> {
    // SAFETY: a plain value; a bad id only gives -EBADF.
    let events = unsafe { uk_netstack_readiness(sock(fd)) };
    (events >= 0).then_some(events as i16)
}

/// `struct pollfd`.
#[repr(C)]
pub struct PollFd {
    fd: c_int,
    events: i16,
    revents: i16,
}

/// Waits until one of the descriptors is ready or `timeout_ms` passes (-1: forever).
///
/// # Safety
/// `fds` points to `count` `struct pollfd`.
#[no_mangle]
pub unsafe extern "C" fn poll(fds: *mut PollFd, count: u64, timeout_ms: c_int) -> c_int {
    if fds.is_null() && count > 0 {
        return ret(Err(EFAULT));
    }
    let fds = if count == 0 {
        &mut []
    } else {
        // SAFETY: the caller passes `count` pollfds.
        unsafe { core::slice::from_raw_parts_mut(fds, count as usize) }
    };
    let timeout = (timeout_ms >= 0).then(|| timeout_ms as u64 * 1_000_000);
    ret(rounds(timeout, || {
        let mut ready = 0;
        for pollfd in fds.iter_mut() {
            pollfd.revents = 0;
            if pollfd.fd < 0 {
                continue;
            }
            let revents = match readiness(pollfd.fd) {
                Some(events) => events & (pollfd.events | POLLERR | POLLHUP),
                None => POLLNVAL,
            };
            pollfd.revents = revents;
            if revents != 0 {
                ready += 1;
            }
        }
        (ready > 0 || timeout_ms == 0).then_some(Ok(ready))
    }))
}

/// `struct timeval`.
#[repr(C)]
pub struct Timeval {
    seconds: i64,
    micros: i64,
}

const FD_SETSIZE: usize = 1024;

fn fd_isset(set: *const u64, fd: usize) -> bool {
    // SAFETY: callers pass fd_sets of FD_SETSIZE bits and fd < FD_SETSIZE.
    !set.is_null() && unsafe { *set.add(fd / 64) } & (1 << (fd % 64)) != 0
}

/// `select` over sockets: read, write and error sets of FD_SETSIZE bits.
///
/// # Safety
/// Each non-null set points to a `fd_set`; `timeout` to a `struct timeval` or null.
#[no_mangle]
pub unsafe extern "C" fn select(
    nfds: c_int,
    read: *mut u64,
    write: *mut u64,
    except: *mut u64,
    timeout: *const Timeval,
) -> c_int {
    let nfds = (nfds.max(0) as usize).min(FD_SETSIZE);
    let wait = if timeout.is_null() {
        None
    } else {
        // SAFETY: the caller passes a readable timeval.
        let tv = unsafe { &*timeout };
        Some((tv.seconds.max(0) as u64) * 1_000_000_000 + tv.micros.max(0) as u64 * 1000)
    };
    let zero_wait = wait == Some(0);
    let mut out = [[0u64; FD_SETSIZE / 64]; 3];
    let result = rounds(wait, || {
        let mut ready = 0;
        out = [[0u64; FD_SETSIZE / 64]; 3];
        for fd in 0..nfds {
            let wanted = [
                fd_isset(read, fd),
                fd_isset(write, fd),
                fd_isset(except, fd),
            ];
            if !wanted.iter().any(|&w| w) {
                continue;
            }
            let Some(events) = readiness(fd as c_int) else {
                return Some(Err(EBADF));
            };
            let got = [
                events & (POLLIN | POLLHUP) != 0,
                events & POLLOUT != 0,
                events & POLLERR != 0,
            ];
            for set in 0..3 {
                if wanted[set] && got[set] {
                    out[set][fd / 64] |= 1 << (fd % 64);
                    ready += 1;
                }
            }
        }
        (ready > 0 || zero_wait).then_some(Ok(ready))
    });
    let ready = match result {
        Err(code) => return ret(Err(code)),
        Ok(n) => n,
    };
    for (set, bits) in [read, write, except].into_iter().zip(out.iter()) {
        if !set.is_null() {
            // SAFETY: the caller's fd_set, FD_SETSIZE bits.
            unsafe { core::ptr::copy_nonoverlapping(bits.as_ptr(), set, FD_SETSIZE / 64) };
        }
    }
    ready
}

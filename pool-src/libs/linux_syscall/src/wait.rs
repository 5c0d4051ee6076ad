//! Waiting for descriptors: `poll`, `ppoll`, `select` and `pselect6` over every kind of
//! descriptor. Files and the console are always ready (reads at the end of the console return
//! 0); objects such as sockets are asked for their readiness after their library drove its I/O
//! once. Between rounds the caller lets other work run (`uk_idle`: other threads when a
//! scheduler is linked). A signal handler that runs meanwhile ends the wait with `EINTR`;
//! `ppoll` and `pselect6` wait with the signal mask they are given.

use crate::errno::*;
use crate::files::{self, Readiness};
use crate::platform::{idle, ukplat_monotonic_ns};

const POLLIN: i16 = 0x1;
const POLLPRI: i16 = 0x2;
const POLLOUT: i16 = 0x4;
const POLLERR: i16 = 0x8;
const POLLHUP: i16 = 0x10;
const POLLNVAL: i16 = 0x20;
const FD_SETSIZE: usize = 1024;
const MAX_POLL: u64 = 4096;

/// `struct pollfd`.
#[repr(C)]
struct PollFd {
    fd: i32,
    events: i16,
    revents: i16,
}

pub fn now() -> u64 {
    // SAFETY: a plain clock read.
    unsafe { ukplat_monotonic_ns() }
}

/// Repeats `round` (which reports how many descriptors are ready) until one is, or until
/// `deadline` (monotonic ns; `None`: forever); `EINTR` when a signal handler ran meanwhile
/// (these waits are never restarted, as on Linux).
pub fn wait(
    deadline: Option<u64>,
    mut round: impl FnMut() -> Result<usize, i64>,
) -> Result<usize, i64> {
    loop {
        let ready = round()?;
        if ready > 0 || deadline.is_some_and(|d| now() >= d) {
            return Ok(ready);
        }
        if let Some(e) = crate::signals::wait_ends(false) {
            return Err(e);
        }
        idle();
    }
}

/// The readiness of `fd` for `events` (plus the events always reported).
pub fn revents(fd: i64, events: i16, progressed: &mut [usize; 4]) -> i16 {
    let wanted = events | POLLERR | POLLHUP;
    match files::readiness(fd) {
        Readiness::Closed if crate::host::attached() => host_revents(fd, events),
        Readiness::Closed => POLLNVAL,
        Readiness::Always(ready) => ready & wanted,
        Readiness::Object(object) => {
            // Drive each library's I/O once per round.
            let key = object.ops as *const _ as usize;
            if !progressed.contains(&key) {
                if let Some(slot) = progressed.iter_mut().find(|k| **k == 0) {
                    *slot = key;
                }
                object.progress();
            }
            object.readiness() & wanted
        }
    }
}

/// Host mode: the host's answer for one of its descriptors, without waiting.
fn host_revents(fd: i64, events: i16) -> i16 {
    const POLL: i64 = 7;
    let mut entry = PollFd {
        fd: fd as i32,
        events,
        revents: 0,
    };
    let n = crate::host::syscall(POLL, [&mut entry as *mut PollFd as u64, 1, 0, 0, 0, 0]);
    if n < 0 {
        POLLNVAL
    } else {
        entry.revents
    }
}

/// Host mode: whether a `poll`'s descriptors include one of the table's.
pub fn any_ours_in_pollfds(fds: u64, count: u64) -> bool {
    if fds == 0 || count > MAX_POLL {
        return false;
    }
    // SAFETY: the caller passed `count` `struct pollfd`.
    let entries = unsafe { core::slice::from_raw_parts(fds as *const PollFd, count as usize) };
    entries
        .iter()
        .any(|e| e.fd >= 0 && files::is_ours(i64::from(e.fd)))
}

/// Host mode: whether a `select`'s sets name one of the table's descriptors.
pub fn any_ours_in_sets(nfds: u64, sets: [u64; 3]) -> bool {
    let nfds = (nfds as usize).min(FD_SETSIZE);
    (0..nfds).any(|fd| sets.iter().any(|&set| bit(set, fd)) && files::is_ours(fd as i64))
}

/// A relative `struct timespec` as a deadline; `None` for a null pointer.
pub fn timespec_deadline(pointer: u64) -> Result<Option<u64>, i64> {
    if pointer == 0 {
        return Ok(None);
    }
    // SAFETY: the caller passed a `struct timespec`.
    let ns = unsafe { syscall_abi::timespec_ns(pointer) }?;
    Ok(Some(now().saturating_add(ns)))
}

/// `poll(fds, count, timeout_ms)` and `ppoll(fds, count, timespec, mask)`.
pub fn poll(fds: u64, count: u64, deadline: Option<u64>) -> i64 {
    if count > MAX_POLL {
        return -EINVAL;
    }
    if fds == 0 && count > 0 {
        return -EFAULT;
    }
    let entries: &mut [PollFd] = if count == 0 {
        &mut []
    } else {
        // SAFETY: the caller passed `count` `struct pollfd`.
        unsafe { core::slice::from_raw_parts_mut(fds as *mut PollFd, count as usize) }
    };
    let result = wait(deadline, || {
        let mut progressed = [0usize; 4];
        let mut ready = 0;
        for entry in entries.iter_mut() {
            entry.revents = if entry.fd < 0 {
                0
            } else {
                revents(i64::from(entry.fd), entry.events, &mut progressed)
            };
            if entry.revents != 0 {
                ready += 1;
            }
        }
        Ok(ready)
    });
    result.map_or_else(|e| -e, |n| n as i64)
}

/// A timeout in milliseconds as a deadline (negative: forever).
pub fn deadline_ms(timeout_ms: i64) -> Option<u64> {
    (timeout_ms >= 0).then(|| now().saturating_add(timeout_ms as u64 * 1_000_000))
}

pub fn poll_ms(fds: u64, count: u64, timeout_ms: i64) -> i64 {
    poll(fds, count, deadline_ms(timeout_ms))
}

/// `ppoll(fds, count, timeout, sigmask, size)`: the wait runs with `sigmask` blocked instead
/// of the thread's set, which is put back after.
pub fn ppoll(fds: u64, count: u64, timeout: u64, sigmask: u64, size: u64) -> i64 {
    let deadline = match timespec_deadline(timeout) {
        Ok(deadline) => deadline,
        Err(e) => return -e,
    };
    let saved = match crate::signals::mask_for_wait(sigmask, size) {
        Ok(saved) => saved,
        Err(e) => return -e,
    };
    let result = poll(fds, count, deadline);
    crate::signals::unmask_after_wait(saved, result);
    result
}

fn bit(set: u64, fd: usize) -> bool {
    // SAFETY: callers pass fd_sets of at least `nfds` bits and fd < nfds.
    set != 0 && unsafe { (set as *const u64).add(fd / 64).read_unaligned() } & (1 << (fd % 64)) != 0
}

/// `select`/`pselect6` with three `fd_set`s of `nfds` bits (any may be null).
fn select(nfds: u64, sets: [u64; 3], deadline: Option<u64>) -> i64 {
    let nfds = nfds as usize;
    if nfds > FD_SETSIZE {
        return -EINVAL;
    }
    let words = nfds.div_ceil(64);
    let mut out = [[0u64; FD_SETSIZE / 64]; 3];
    let result = wait(deadline, || {
        let mut progressed = [0usize; 4];
        let mut ready = 0;
        out = [[0u64; FD_SETSIZE / 64]; 3];
        for fd in 0..nfds {
            let wanted = [bit(sets[0], fd), bit(sets[1], fd), bit(sets[2], fd)];
            if !wanted.contains(&true) {
                continue;
            }
            let events = revents(fd as i64, POLLIN | POLLOUT | POLLPRI, &mut progressed);
            if events & POLLNVAL != 0 {
                return Err(EBADF);
            }
            let got = [
                events & (POLLIN | POLLHUP | POLLERR) != 0,
                events & (POLLOUT | POLLERR) != 0,
                events & POLLPRI != 0,
            ];
            for set in 0..3 {
                if wanted[set] && got[set] {
                    out[set][fd / 64] |= 1 << (fd % 64);
                    ready += 1;
                }
            }
        }
        Ok(ready)
    });
    match result {
        Ok(ready) => {
            for (set, bits) in sets.iter().zip(out.iter()) {
                if *set != 0 {
                    for (word, value) in bits.iter().take(words).enumerate() {
                        // SAFETY: the caller's fd_set holds `words` words.
                        unsafe { (*set as *mut u64).add(word).write_unaligned(*value) };
                    }
                }
            }
            ready as i64
        }
        Err(e) => -e,
    }
}

/// `select(nfds, read, write, except, struct timeval *)`.
pub fn select_timeval(nfds: u64, read: u64, write: u64, except: u64, timeout: u64) -> i64 {
    let deadline = if timeout == 0 {
        None
    } else {
        // SAFETY: the caller passed a `struct timeval`.
        match unsafe { syscall_abi::timeval_ns(timeout) } {
            Ok(ns) => Some(now().saturating_add(ns)),
            Err(e) => return -e,
        }
    };
    select(nfds, [read, write, except], deadline)
}

/// `pselect6(nfds, read, write, except, struct timespec *, sigmask)`, where `sigmask` points
/// at `{ const sigset_t *set; size_t size; }`: the wait runs with that set blocked.
pub fn pselect(nfds: u64, read: u64, write: u64, except: u64, timeout: u64, sigmask: u64) -> i64 {
    let deadline = match timespec_deadline(timeout) {
        Ok(deadline) => deadline,
        Err(e) => return -e,
    };
    let (set, size) = if sigmask == 0 {
        (0, 0)
    } else {
        // SAFETY: the caller passed the kernel's two-word { set, size } argument.
        unsafe {
            let p = sigmask as *const u64;
            (p.read_unaligned(), p.add(1).read_unaligned())
        }
    };
    let saved = match crate::signals::mask_for_wait(set, size) {
        Ok(saved) => saved,
        Err(e) => return -e,
    };
    let result = select(nfds, [read, write, except], deadline);
    crate::signals::unmask_after_wait(saved, result);
    result
}

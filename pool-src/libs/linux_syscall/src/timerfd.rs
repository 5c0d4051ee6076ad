//! `timerfd`: timers as descriptors (objects of the table) that become readable when they
//! expire. `read` returns how many times the timer expired since the last read (a `u64`),
//! waiting for the first expiry unless the descriptor is non-blocking. Timers are one-shot or
//! periodic, on the monotonic, boot-time or real-time clock; an absolute real-time deadline is
//! turned into a monotonic one when it is set (a later change of the wall clock does not move
//! it). Waits — a blocking read, or `poll`/`select`/`epoll` on the descriptor — check the clock
//! between rounds of `uk_idle`.

use crate::cell::Global;
use crate::errno::*;
use crate::files;
use crate::objects::{handle_of, insert, refuse_write, remove, FileOps, Object};
use crate::platform::{idle, ukplat_monotonic_ns, ukplat_wall_ns};
use alloc::vec::Vec;

const CLOCK_REALTIME: u64 = 0;
const CLOCK_MONOTONIC: u64 = 1;
const CLOCK_BOOTTIME: u64 = 7;
const CLOCK_REALTIME_ALARM: u64 = 8;
const CLOCK_BOOTTIME_ALARM: u64 = 9;
const TFD_NONBLOCK: u64 = 0o4000;
const TFD_CLOEXEC: u64 = 0o2000000;
const TFD_TIMER_ABSTIME: u64 = 1;
const TFD_TIMER_CANCEL_ON_SET: u64 = 2;
const POLLIN: i32 = 0x1;
/// The file type `fstat` reports: none, as for Linux's anonymous inodes.
const MODE: u32 = 0;

#[derive(Clone, Copy)]
struct Timer {
    realtime: bool,
    /// The next expiry on the monotonic clock (ns); 0 when disarmed.
    deadline: u64,
    /// The period (ns); 0 for a one-shot timer.
    interval: u64,
    nonblocking: bool,
}

impl Timer {
    /// Takes the expirations up to `now`, re-arming a periodic timer.
    fn expirations(&mut self, now: u64) -> u64 {
        if self.deadline == 0 || now < self.deadline {
            return 0;
        }
        if self.interval == 0 {
            self.deadline = 0;
            return 1;
        }
        let count = 1 + (now - self.deadline) / self.interval;
        self.deadline += count * self.interval;
        count
    }
}

static TIMERS: Global<Vec<Option<Timer>>> = Global::new(Vec::new());

fn now() -> u64 {
    // SAFETY: a plain clock read.
    unsafe { ukplat_monotonic_ns() }
}

unsafe extern "C" fn read(handle: u64, buffer: *mut u8, len: usize) -> i64 {
    if len < 8 {
        return -EINVAL;
    }
    loop {
        let result = TIMERS.with(|timers| {
            let timer = timers.get_mut(handle as usize)?.as_mut()?;
            match timer.expirations(now()) {
                0 if timer.nonblocking => Some(-EAGAIN),
                0 => None,
                count => {
                    // SAFETY: the system call layer passes the caller's buffer of `len` ≥ 8
                    // bytes.
                    unsafe { (buffer as *mut u64).write_unaligned(count) };
                    Some(8)
                }
            }
        });
        match result {
            Some(n) => return n,
            None if crate::signals::any_deliverable() => return -crate::signals::ERESTARTSYS,
            None => idle(),
        }
    }
}

unsafe extern "C" fn close(handle: u64) -> i32 {
    TIMERS.with(|timers| remove(timers, handle));
    0
}

unsafe extern "C" fn readiness(handle: u64) -> i32 {
    TIMERS.with(|timers| match timers.get(handle as usize) {
        Some(Some(timer)) if timer.deadline != 0 && now() >= timer.deadline => POLLIN,
        _ => 0,
    })
}

unsafe extern "C" fn set_nonblocking(handle: u64, on: i32) -> i32 {
    TIMERS.with(|timers| match timers.get_mut(handle as usize) {
        Some(Some(timer)) => {
            timer.nonblocking = on != 0;
            0
        }
        _ => -(EBADF as i32),
    })
}

static OPS: FileOps = FileOps {
    mode: MODE,
    pad: 0,
    read,
    write: refuse_write,
    close,
    readiness,
    set_nonblocking,
    progress: None,
    available: None,
};

/// `timerfd_create(clock, flags)`.
pub fn create(clock: u64, flags: u64) -> i64 {
    let realtime = match clock {
        CLOCK_REALTIME | CLOCK_REALTIME_ALARM => true,
        CLOCK_MONOTONIC | CLOCK_BOOTTIME | CLOCK_BOOTTIME_ALARM => false,
        _ => return -EINVAL,
    };
    if flags & !(TFD_NONBLOCK | TFD_CLOEXEC) != 0 {
        return -EINVAL;
    }
    let handle = TIMERS.with(|timers| {
        insert(
            timers,
            Timer {
                realtime,
                deadline: 0,
                interval: 0,
                nonblocking: flags & TFD_NONBLOCK != 0,
            },
        )
    });
    files::install_object(
        Object {
            ops: &OPS,
            handle: handle as u64,
        },
        flags,
    )
}

/// The timer behind `fd` (EBADF for a closed descriptor, EINVAL for another kind).
fn timer_of(fd: i64) -> Result<u64, i64> {
    handle_of(fd, &OPS, EINVAL)
}

/// Writes a `struct itimerspec` (interval, then value; two timespecs) at `out`.
fn write_itimerspec(out: u64, interval: u64, value: u64) {
    let words = [
        interval / 1_000_000_000,
        interval % 1_000_000_000,
        value / 1_000_000_000,
        value % 1_000_000_000,
    ];
    // SAFETY: the caller passed a `struct itimerspec` (four 64-bit fields).
    unsafe { core::ptr::copy_nonoverlapping(words.as_ptr(), out as *mut u64, 4) };
}

/// The interval and the time left of `timer` at `now`.
fn current(timer: &Timer, now: u64) -> (u64, u64) {
    let left = timer.deadline.saturating_sub(now);
    (timer.interval, left)
}

/// `timerfd_settime(fd, flags, new, old)`: a zero value disarms; `TFD_TIMER_ABSTIME` makes the
/// value a time on the timer's clock.
pub fn settime(fd: i64, flags: u64, new: u64, old: u64) -> i64 {
    if flags & !(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET) != 0 {
        return -EINVAL;
    }
    if new == 0 {
        return -EFAULT;
    }
    let handle = match timer_of(fd) {
        Ok(handle) => handle,
        Err(e) => return -e,
    };
    // SAFETY: the caller passed a `struct itimerspec`: interval, then value.
    let parsed = unsafe {
        (
            syscall_abi::timespec_ns(new),
            syscall_abi::timespec_ns(new + 16),
        )
    };
    let (interval, value) = match parsed {
        (Ok(interval), Ok(value)) => (interval, value),
        _ => return -EINVAL,
    };
    let now = now();
    TIMERS.with(|timers| {
        let Some(Some(timer)) = timers.get_mut(handle as usize) else {
            return -EBADF;
        };
        if old != 0 {
            let (interval, left) = current(timer, now);
            write_itimerspec(old, interval, left);
        }
        timer.interval = interval;
        timer.deadline = match (value, flags & TFD_TIMER_ABSTIME != 0, timer.realtime) {
            (0, _, _) => 0,
            (value, false, _) => now.saturating_add(value),
            (value, true, false) => value.max(1),
            (value, true, true) => {
                // SAFETY: a plain clock read.
                let wall = unsafe { ukplat_wall_ns() };
                now.saturating_add(value.saturating_sub(wall)).max(1)
            }
        };
        0
    })
}

/// `timerfd_gettime(fd, current)`: the interval and the time left (zero when disarmed).
pub fn gettime(fd: i64, out: u64) -> i64 {
    if out == 0 {
        return -EFAULT;
    }
    let handle = match timer_of(fd) {
        Ok(handle) => handle,
        Err(e) => return -e,
    };
    let now = now();
    TIMERS.with(|timers| {
        let Some(Some(timer)) = timers.get(handle as usize) else {
            return -EBADF;
        };
        // The time to the next expiry, as a read now would leave it (on a copy: the count
        // of expirations stays for that read).
        let mut next = *timer;
        next.expirations(now);
        let (interval, left) = current(&next, now);
        write_itimerspec(out, interval, left);
        0
    })
}

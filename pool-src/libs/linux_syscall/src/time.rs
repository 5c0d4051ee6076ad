//! Time calls over the platform clocks: `clock_gettime`, `clock_getres`, `gettimeofday`,
//! `time`, `nanosleep`/`clock_nanosleep` (waiting on the clock while other work runs through
//! `uk_idle`; `linux_thread` replaces the sleeps with scheduler sleeps that halt the CPU).

use crate::errno::*;
use crate::platform::{ukplat_monotonic_ns, ukplat_wall_ns};

const CLOCK_REALTIME: u64 = 0;
const CLOCK_REALTIME_COARSE: u64 = 5;
const CLOCK_TAI: u64 = 11;
const CLOCK_REALTIME_ALARM: u64 = 8;

/// The time on `clock` in ns, or `None` for an unknown clock.
fn now(clock: u64) -> Option<u64> {
    // SAFETY: plain queries of the platform clocks.
    unsafe {
        match clock {
            CLOCK_REALTIME | CLOCK_REALTIME_COARSE | CLOCK_REALTIME_ALARM | CLOCK_TAI => {
                Some(ukplat_wall_ns())
            }
            // MONOTONIC, PROCESS/THREAD_CPUTIME (one process that never sleeps), RAW,
            // COARSE, BOOTTIME, BOOTTIME_ALARM.
            1 | 2 | 3 | 4 | 6 | 7 | 9 => Some(ukplat_monotonic_ns()),
            _ => None,
        }
    }
}

fn write_pair(out: u64, seconds: u64, fraction: u64) -> i64 {
    if out == 0 {
        return -EFAULT;
    }
    // SAFETY: the caller passed a `struct timespec`/`timeval` (two 64-bit fields).
    unsafe {
        (out as *mut u64).write_unaligned(seconds);
        (out as *mut u64).add(1).write_unaligned(fraction);
    }
    0
}

pub fn clock_gettime(clock: u64, out: u64) -> i64 {
    match now(clock) {
        Some(ns) => write_pair(out, ns / 1_000_000_000, ns % 1_000_000_000),
        None => -EINVAL,
    }
}

pub fn clock_getres(clock: u64, out: u64) -> i64 {
    match now(clock) {
        Some(_) if out == 0 => 0,
        Some(_) => write_pair(out, 0, 1),
        None => -EINVAL,
    }
}

pub fn gettimeofday(out: u64) -> i64 {
    if out == 0 {
        return 0;
    }
    // SAFETY: a plain query.
    let ns = unsafe { ukplat_wall_ns() };
    write_pair(out, ns / 1_000_000_000, ns % 1_000_000_000 / 1000)
}

pub fn time(out: u64) -> i64 {
    // SAFETY: a plain query.
    let seconds = unsafe { ukplat_wall_ns() } / 1_000_000_000;
    if out != 0 {
        // SAFETY: the caller passed a `time_t *`.
        unsafe { (out as *mut u64).write_unaligned(seconds) };
    }
    seconds as i64
}

/// Sleeps for the `struct timespec` at `request` (absolute when `absolute`, on `clock`). A
/// signal handler that runs meanwhile (a timer's) ends the sleep with `EINTR`, the time left
/// written to `remaining` (when not null, for a relative sleep).
pub fn sleep(clock: u64, request: u64, absolute: bool, remaining: u64) -> i64 {
    if request == 0 {
        return -EFAULT;
    }
    // SAFETY: the caller passed a `struct timespec`.
    let total = match unsafe { syscall_abi::timespec_ns(request) } {
        Ok(ns) => ns,
        Err(e) => return -e,
    };
    let Some(start) = now(clock) else {
        return -EINVAL;
    };
    let deadline = if absolute {
        total
    } else {
        start.saturating_add(total)
    };
    match wait_until(Some((clock, deadline)), false) {
        Ok(()) => 0,
        Err(e) => {
            if !absolute && remaining != 0 {
                let left = deadline.saturating_sub(now(clock).unwrap_or(deadline));
                write_pair(remaining, left / 1_000_000_000, left % 1_000_000_000);
            }
            -e
        }
    }
}

/// The time on a clock that [`now`] knows (the monotonic clock for any other).
pub fn now_ns(clock: u64) -> u64 {
    now(clock).unwrap_or_else(|| now(1).unwrap_or(0))
}

/// Lets other work run until `deadline` (`(clock, ns)`; `None`: forever) has passed: `Ok`,
/// or `Err(EINTR)` as soon as a signal can be delivered (`Err(ERESTARTSYS)` for a
/// `restartable` call, which is restarted after a handler with `SA_RESTART`, as Linux
/// restarts it).
pub fn wait_until(deadline: Option<(u64, u64)>, restartable: bool) -> Result<(), i64> {
    loop {
        if let Some((clock, ns)) = deadline {
            if now(clock).unwrap_or(u64::MAX) >= ns {
                return Ok(());
            }
        }
        if let Some(e) = crate::signals::wait_ends(restartable) {
            return Err(e);
        }
        crate::platform::idle();
    }
}

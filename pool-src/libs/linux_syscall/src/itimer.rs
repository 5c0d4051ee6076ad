//! Interval timers: `setitimer`/`getitimer` and `alarm`. `ITIMER_REAL` sends `SIGALRM`;
//! `ITIMER_VIRTUAL` (`SIGVTALRM`) and `ITIMER_PROF` (`SIGPROF`) count the same monotonic clock,
//! as this layer's CPU-time clocks do (one process that never leaves the CPU but to wait).
//!
//! An expired timer makes its signal pending ([`expire`]); [`crate::signals`] delivers it at the
//! end of the next system call, or in a wait, which then ends with `EINTR`. Code that makes no
//! system call is not interrupted.

use crate::cell::Global;
use crate::errno::*;
use crate::wait::now;
use core::sync::atomic::{AtomicU64, Ordering};

const TIMERS: usize = 3;
/// The signal each timer sends.
const SIGNALS: [u64; TIMERS] = [14, 26, 27];
const NS_PER_SEC: u64 = 1_000_000_000;
const NS_PER_US: u64 = 1_000;

#[derive(Clone, Copy)]
struct Timer {
    /// Monotonic ns of the next expiry; 0: disarmed.
    deadline: u64,
    /// ns between expiries; 0: one-shot.
    interval: u64,
}

static STATE: Global<[Timer; TIMERS]> = Global::new(
    [Timer {
        deadline: 0,
        interval: 0,
    }; TIMERS],
);

/// The earliest armed deadline (`u64::MAX`: none), read without the lock at every call's end.
static NEXT: AtomicU64 = AtomicU64::new(u64::MAX);

fn update_next(timers: &[Timer; TIMERS]) {
    let next = timers
        .iter()
        .filter(|t| t.deadline != 0)
        .map(|t| t.deadline)
        .min()
        .unwrap_or(u64::MAX);
    NEXT.store(next, Ordering::Relaxed);
}

/// The earliest armed deadline (monotonic ns), `u64::MAX` when no timer is armed: how long a
/// sleeper may sleep before a timer's signal is due.
pub fn next_deadline() -> u64 {
    NEXT.load(Ordering::Relaxed)
}

/// Arms the platform's one-shot timer for the earliest armed deadline, so that its interrupt
/// delivers the signal to a program that makes no calls meanwhile (kvm; on platforms without
/// a timer interrupt the deadline is polled by calls and waits). Other users of the one-shot
/// timer (the scheduler's sleeps) re-arm it for themselves, so this runs again whenever a call
/// ends.
pub fn arm_hardware() {
    let next = next_deadline();
    if next != u64::MAX {
        // SAFETY: a plain request to the platform.
        unsafe { crate::platform::ukplat_timer_set(next) };
    }
}

/// Makes the signals of expired timers pending (once per expiry that passed, as Linux merges
/// a signal that is already pending) and re-arms the periodic ones.
pub fn expire() {
    if next_deadline() == u64::MAX {
        return;
    }
    let now = now();
    if now < next_deadline() {
        return;
    }
    let fired = STATE.with(|timers| {
        let mut fired = [false; TIMERS];
        for (i, timer) in timers.iter_mut().enumerate() {
            if timer.deadline == 0 || now < timer.deadline {
                continue;
            }
            fired[i] = true;
            // A periodic timer's next expiry after now, skipping those that passed meanwhile.
            timer.deadline = match (now - timer.deadline).checked_div(timer.interval) {
                None => 0,
                Some(late) => timer
                    .deadline
                    .saturating_add((late + 1).saturating_mul(timer.interval)),
            };
        }
        update_next(timers);
        fired
    });
    for (i, fired) in fired.into_iter().enumerate() {
        if fired {
            crate::signals::post(SIGNALS[i]);
        }
    }
}

/// A `struct timeval` in ns; EINVAL when its microseconds are out of range or it is negative.
fn timeval_ns(pointer: u64) -> Result<u64, i64> {
    // SAFETY: the caller passed a `struct timeval` (two 64-bit fields).
    unsafe { syscall_abi::timeval_ns(pointer) }
}

/// Writes a `struct itimerval` (interval, then value), rounding up to whole microseconds so
/// that an armed timer never reads as 0.
fn write_itimerval(pointer: u64, timer: Timer, now: u64) {
    let value = if timer.deadline == 0 {
        0
    } else {
        timer.deadline.saturating_sub(now).max(1)
    };
    let words = |ns: u64| {
        let micros = ns.div_ceil(NS_PER_US);
        [micros / 1_000_000, micros % 1_000_000]
    };
    let [is, iu] = words(timer.interval);
    let [vs, vu] = words(value);
    // SAFETY: the caller passed a `struct itimerval` (four 64-bit fields).
    unsafe { (pointer as *mut [u64; 4]).write_unaligned([is, iu, vs, vu]) };
}

/// `getitimer(which, value)`.
pub fn getitimer(which: u64, out: u64) -> i64 {
    let Some(index) = usize::try_from(which).ok().filter(|w| *w < TIMERS) else {
        return -EINVAL;
    };
    if out == 0 {
        return -EFAULT;
    }
    let timer = STATE.with(|timers| timers[index]);
    write_itimerval(out, timer, now());
    0
}

/// `setitimer(which, new, old)`: a zero value (or a null `new`) disarms the timer.
pub fn setitimer(which: u64, new: u64, old: u64) -> i64 {
    let Some(index) = usize::try_from(which).ok().filter(|w| *w < TIMERS) else {
        return -EINVAL;
    };
    // A null `new` disarms, as on Linux.
    let (interval, value) = if new == 0 {
        (0, 0)
    } else {
        match (timeval_ns(new), timeval_ns(new + 16)) {
            (Ok(interval), Ok(value)) => (interval, value),
            (Err(e), _) | (_, Err(e)) => return -e,
        }
    };
    let now = now();
    let previous = STATE.with(|timers| {
        let previous = timers[index];
        timers[index] = if value == 0 {
            Timer {
                deadline: 0,
                interval: 0,
            }
        } else {
            Timer {
                deadline: now.saturating_add(value),
                interval,
            }
        };
        update_next(timers);
        previous
    });
    if old != 0 {
        write_itimerval(old, previous, now);
    }
    0
}

/// `alarm(seconds)`: the seconds that were left of the previous alarm (rounded to the
/// nearest, at least 1 while one was armed), as Linux answers.
pub fn alarm(seconds: u64) -> i64 {
    let now = now();
    let previous = STATE.with(|timers| {
        let previous = timers[0];
        timers[0] = Timer {
            deadline: if seconds == 0 {
                0
            } else {
                now.saturating_add(seconds.saturating_mul(NS_PER_SEC))
            },
            interval: 0,
        };
        update_next(timers);
        previous
    });
    if previous.deadline == 0 {
        return 0;
    }
    let left = previous.deadline.saturating_sub(now);
    ((left + NS_PER_SEC / 2) / NS_PER_SEC).max(1) as i64
}

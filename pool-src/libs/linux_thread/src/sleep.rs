//! Sleeping and yielding as the scheduler does them: `nanosleep` and `clock_nanosleep` block
//! the calling thread until its deadline (the CPU halts when no thread can run), waking early
//! when an interval timer of linux_syscall comes due: if a signal handler then runs, the sleep
//! ends with `EINTR` and the time left. `sched_yield` lets the other runnable threads go first.

use crate::ffi::{self, Frame, EFAULT, EINVAL};

const CLOCK_REALTIME: u64 = 0;
const CLOCK_MONOTONIC: u64 = 1;
const CLOCK_BOOTTIME: u64 = 7;
const TIMER_ABSTIME: u64 = 1;

/// A `struct timespec`, in nanoseconds.
fn timespec(pointer: u64) -> Result<u64, i64> {
    if pointer == 0 {
        return Err(EFAULT);
    }
    // SAFETY: the caller passed a `struct timespec`.
    unsafe { syscall_abi::timespec_ns(pointer) }
}

fn sleep(clock: u64, request: u64, absolute: bool, remaining: u64) -> i64 {
    let ns = match timespec(request) {
        Ok(ns) => ns,
        Err(e) => return -e,
    };
    let deadline = crate::clock::deadline(ns, absolute, clock == CLOCK_REALTIME);
    loop {
        // SAFETY: plain queries of linux_syscall's timers and signals.
        let timer = unsafe { ffi::uk_signal_next_timer() };
        // A signal sent to this thread ends the sleep early.
        crate::futex::sleep_until(deadline.min(timer));
        let now = ffi::monotonic_ns();
        if now >= deadline {
            return 0;
        }
        // SAFETY: a query of linux_syscall's signals.
        let code = unsafe { ffi::uk_signal_interrupted(0) };
        if code != 0 {
            if !absolute && remaining != 0 {
                let left = deadline - now;
                // SAFETY: the caller passed a `struct timespec` for the time left.
                unsafe {
                    (remaining as *mut [u64; 2])
                        .write_unaligned([left / 1_000_000_000, left % 1_000_000_000])
                };
            }
            return -i64::from(code);
        }
    }
}

/// `nanosleep(request, remaining)`.
pub unsafe extern "C" fn nanosleep(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [request, remaining, ..] = unsafe { (*frame).args() };
    sleep(CLOCK_MONOTONIC, request, false, remaining)
}

/// `clock_nanosleep(clock, flags, request, remaining)`.
pub unsafe extern "C" fn clock_nanosleep(frame: *mut Frame) -> i64 {
    // SAFETY: the system call layer passes the caller's frame.
    let [clock, flags, request, remaining, ..] = unsafe { (*frame).args() };
    if !matches!(clock, CLOCK_REALTIME | CLOCK_MONOTONIC | CLOCK_BOOTTIME) {
        return -EINVAL;
    }
    sleep(clock, request, flags & TIMER_ABSTIME != 0, remaining)
}

/// `sched_yield()`.
pub unsafe extern "C" fn sched_yield(_frame: *mut Frame) -> i64 {
    // SAFETY: switching threads is what the caller asked for.
    unsafe { ffi::uk_thread_yield() };
    0
}

//! Clocks from `clock_gettime`: monotonic time counts from the process's start (as kvm's counts
//! from the PVH entry), wall time is the host's `CLOCK_REALTIME`.
//!
//! A raw system call per reading (no vDSO): about a hundred nanoseconds more than on kvm, which
//! reads the TSC.

use crate::syscall::{self, CLOCK_GETTIME};
use core::sync::atomic::{AtomicU64, Ordering};

const CLOCK_REALTIME: usize = 0;
const CLOCK_MONOTONIC: usize = 1;

/// `CLOCK_MONOTONIC` at the process's start, in nanoseconds.
static START_NS: AtomicU64 = AtomicU64::new(0);

#[repr(C)]
struct Timespec {
    seconds: i64,
    nanoseconds: i64,
}

fn read(clock: usize) -> u64 {
    let mut time = Timespec {
        seconds: 0,
        nanoseconds: 0,
    };
    // SAFETY: the kernel writes one `struct timespec` into `time`.
    let result =
        unsafe { syscall::syscall6(CLOCK_GETTIME, [clock, &raw mut time as usize, 0, 0, 0, 0]) };
    if result != 0 {
        return 0;
    }
    (time.seconds as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(time.nanoseconds as u64)
}

/// Records time zero; called first thing at start-up.
pub fn init() {
    START_NS.store(read(CLOCK_MONOTONIC), Ordering::Relaxed);
}

/// Nanoseconds since the process started.
pub fn monotonic_ns() -> u64 {
    read(CLOCK_MONOTONIC).saturating_sub(START_NS.load(Ordering::Relaxed))
}

/// Nanoseconds since the Unix epoch.
pub fn wall_ns() -> u64 {
    read(CLOCK_REALTIME)
}

//! Deadlines of timed waits (futex, sleeps) on the monotonic clock, which the scheduler's
//! sleeps use.

use crate::ffi;

/// The monotonic deadline for a timeout of `ns`: relative to now, or absolute on the
/// real-time clock (`realtime`) or the monotonic one.
pub fn deadline(ns: u64, absolute: bool, realtime: bool) -> u64 {
    let now = ffi::monotonic_ns();
    match (absolute, realtime) {
        (false, _) => now.saturating_add(ns),
        (true, false) => ns,
        (true, true) => now.saturating_add(ns.saturating_sub(ffi::wall_ns())),
    }
}

//! Clocks of the platform.

extern "C" {
    fn ukplat_monotonic_ns() -> u64;
    fn ukplat_wall_ns() -> u64;
}

/// Nanoseconds since boot; never goes backwards.
#[inline]
pub fn monotonic_ns() -> u64 {
    // SAFETY: plain platform query without arguments.
    unsafe { ukplat_monotonic_ns() }
}

/// Nanoseconds since the Unix epoch, as far as the platform knows.
#[inline]
pub fn wall_ns() -> u64 {
    // SAFETY: plain platform query without arguments.
    unsafe { ukplat_wall_ns() }
}

//! Statistics of the pool's allocator (ukalloc's `uk_alloc_stats`), e.g. to show that a
//! long-running loop does not grow the heap.

/// `struct uk_alloc_stats`: sizes in bytes, counted in whole allocator blocks.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub total_bytes: usize,
    pub used_bytes: usize,
    pub free_bytes: usize,
    pub peak_used_bytes: usize,
    pub alloc_count: usize,
    pub free_count: usize,
    pub failed_count: usize,
}

extern "C" {
    fn uk_alloc_stats(out: *mut Stats);
}

/// The allocator's counters now (all zero when no allocator is registered).
#[inline]
pub fn stats() -> Stats {
    let mut stats = Stats::default();
    // SAFETY: `stats` is a valid, writable `struct uk_alloc_stats`.
    unsafe { uk_alloc_stats(&mut stats) };
    stats
}

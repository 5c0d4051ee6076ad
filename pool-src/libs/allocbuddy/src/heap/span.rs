//! Spans: big allocations made of whole pages taken from consecutive free blocks, whatever
//! their orders (see the `heap` module). Finding, claiming, extending, sliding and releasing
//! runs of free blocks.

use core::ptr;

use super::{BuddyHeap, Live, SPAN_MIN};
use crate::order::{block_size, largest_fitting};
use crate::zone::{Mark, PAGE};

impl BuddyHeap {
    /// Takes a span of `len` bytes (a multiple of [`PAGE`]): the first page-aligned run of
    /// consecutive free blocks that covers it, in any zone. The end of the last block beyond
    /// the span goes back to the free lists.
    pub(super) fn take_span(&mut self, len: usize) -> Option<usize> {
        for zone_index in 0..self.zone_count {
            let Some((start, run_end)) = self.find_free_run(zone_index, len) else {
                continue;
            };
            // SAFETY: `[start, run_end)` is made of whole free blocks of that zone.
            unsafe { self.claim_free_blocks(zone_index, start, run_end) };
            self.zones[zone_index].set_mark(start, Mark::Span(len));
            // SAFETY: the tail past the span was free and is not part of the span.
            unsafe { self.release_range(zone_index, start + len, run_end) };
            self.note_taken(len);
            return Some(start);
        }
        None
    }

    /// First page-aligned address of zone `zone_index` from which consecutive free blocks
    /// cover `len` bytes, with the end of the last of those blocks.
    fn find_free_run(&self, zone_index: usize, len: usize) -> Option<(usize, usize)> {
        let zone = &self.zones[zone_index];
        let mut run_start = None;
        let mut addr = zone.start;
        while addr < zone.end {
            let next = match zone.mark(addr) {
                Mark::Free(order) => {
                    // Blocks smaller than a page never straddle a page boundary and bigger ones
                    // start on one, so the aligned start is always a block start.
                    let start = *run_start.get_or_insert(addr.next_multiple_of(PAGE));
                    let end = addr + block_size(order);
                    if end >= start && end - start >= len {
                        return Some((start, end));
                    }
                    end
                }
                Mark::Used(order) => {
                    run_start = None;
                    addr + block_size(order)
                }
                Mark::Span(span_len) => {
                    run_start = None;
                    addr + span_len
                }
                // Blocks tile the zone, so this would be a corrupt table: stop looking here.
                Mark::None => return None,
            };
            addr = next;
        }
        None
    }

    /// Unlists the free blocks that tile `[start, end)` and clears their marks.
    ///
    /// # Safety
    ///
    /// `[start, end)` must consist of whole free blocks of zone `zone_index`.
    unsafe fn claim_free_blocks(&mut self, zone_index: usize, start: usize, end: usize) {
        let mut addr = start;
        while addr < end {
            let Mark::Free(order) = self.zones[zone_index].mark(addr) else {
                unreachable!("claimed range holds a block that is not free");
            };
            // SAFETY: the table says this is a free block of that order, so it is listed.
            unsafe { self.free.remove(order, addr) };
            self.zones[zone_index].set_mark(addr, Mark::None);
            addr += block_size(order);
        }
    }

    /// Gives `[start, end)` back as the largest aligned blocks that tile it, each merged with
    /// its free buddies.
    ///
    /// # Safety
    ///
    /// `[start, end)` must be unused memory of zone `zone_index`, in no block or span.
    pub(super) unsafe fn release_range(&mut self, zone_index: usize, start: usize, end: usize) {
        let mut addr = start;
        while addr < end {
            let order = largest_fitting(addr, end);
            // SAFETY: `[addr, addr + 2^order)` is unused memory of that zone.
            unsafe { self.release(zone_index, addr, order) };
            addr += block_size(order);
        }
    }

    /// Resizes a span in place: trims its tail, or extends it over the free blocks that follow
    /// it. Returns whether it did.
    ///
    /// # Safety
    ///
    /// `addr` must be a live span of `len` bytes in zone `zone_index`.
    pub(super) unsafe fn resize_span_in_place(
        &mut self,
        zone_index: usize,
        addr: usize,
        len: usize,
        size: usize,
    ) -> bool {
        let Some(wanted) = size.max(PAGE).checked_next_multiple_of(PAGE) else {
            return false;
        };
        if wanted <= len {
            // Small enough to move into a block: let the caller move it if it can.
            if size < SPAN_MIN / 2 {
                return false;
            }
            self.zones[zone_index].set_mark(addr, Mark::Span(wanted));
            // SAFETY: the trimmed tail is no longer part of the span.
            unsafe { self.release_range(zone_index, addr + wanted, addr + len) };
            self.note_released(len - wanted);
            return true;
        }
        self.extend_in_place(zone_index, addr, len, size)
    }

    /// Turns the live allocation of `len` bytes at `addr` (page-aligned, a whole number of
    /// pages) into a span of at least `size` bytes by taking the free blocks that follow it.
    /// Returns whether they were enough.
    pub(super) fn extend_in_place(
        &mut self,
        zone_index: usize,
        addr: usize,
        len: usize,
        size: usize,
    ) -> bool {
        let Some(wanted) = size.checked_next_multiple_of(PAGE) else {
            return false;
        };
        let zone = &self.zones[zone_index];
        let mut run_end = addr + len;
        while run_end - addr < wanted {
            match zone.mark(run_end) {
                Mark::Free(order) => run_end += block_size(order),
                _ => return false,
            }
        }
        // SAFETY: `[addr + len, run_end)` is made of whole free blocks of that zone.
        unsafe { self.claim_free_blocks(zone_index, addr + len, run_end) };
        self.zones[zone_index].set_mark(addr, Mark::Span(wanted));
        // SAFETY: the part of the last block past the new end is not part of the span.
        unsafe { self.release_range(zone_index, addr + wanted, run_end) };
        self.note_taken(wanted - len);
        true
    }

    /// Grows the live allocation at `addr` into a span of at least `size` bytes that starts in
    /// the run of free blocks just below it and ends in the run just above it, moving the
    /// contents down. Returns the new address, or `None` when the runs are too short.
    ///
    /// # Safety
    ///
    /// `live` must be the live allocation at `addr` (page-aligned) in zone `zone_index`; on
    /// success the old address is invalid.
    pub(super) unsafe fn slide(
        &mut self,
        zone_index: usize,
        addr: usize,
        live: Live,
        size: usize,
    ) -> Option<usize> {
        let wanted = size.checked_next_multiple_of(PAGE)?;
        let len = live.size();
        let zone = self.zones[zone_index];
        // The free run that ends at `addr`: walk the zone's blocks from its start.
        let mut below = None;
        let mut cursor = zone.start;
        while cursor < addr {
            let (free, next) = match zone.mark(cursor) {
                Mark::Free(order) => (true, cursor + block_size(order)),
                Mark::Used(order) => (false, cursor + block_size(order)),
                Mark::Span(span_len) => (false, cursor + span_len),
                Mark::None => return None,
            };
            below = if free { below.or(Some(cursor)) } else { None };
            cursor = next;
        }
        let below = below?;
        // The free run that starts after the allocation.
        let mut above_end = addr + len;
        while let Mark::Free(order) = zone.mark(above_end) {
            above_end += block_size(order);
        }
        let lowest = below.next_multiple_of(PAGE);
        if above_end < lowest || above_end - lowest < wanted {
            return None;
        }
        // Move as little as possible: end the span at the top of the upper run if we can.
        let start = (above_end - wanted).min(addr) & !(PAGE - 1);
        let start = start.max(lowest);
        let end = start + wanted;
        // Claim the free blocks of the lower run that reach past `start`, and the upper run's
        // blocks up to `end`.
        let mut first_claimed = below;
        while let Mark::Free(order) = zone.mark(first_claimed) {
            if first_claimed + block_size(order) > start {
                break;
            }
            first_claimed += block_size(order);
        }
        let mut last_claimed_end = addr + len;
        while last_claimed_end < end {
            let Mark::Free(order) = zone.mark(last_claimed_end) else {
                unreachable!("the upper run was measured above");
            };
            last_claimed_end += block_size(order);
        }
        // SAFETY: both ranges consist of whole free blocks of that zone.
        unsafe {
            self.claim_free_blocks(zone_index, first_claimed, addr);
            self.claim_free_blocks(zone_index, addr + len, last_claimed_end);
        }
        // SAFETY: `[start, start + len)` and `[addr, addr + len)` are both ours now; `copy`
        // allows the overlap.
        unsafe { ptr::copy(addr as *const u8, start as *mut u8, len) };
        self.zones[zone_index].set_mark(addr, Mark::None);
        self.zones[zone_index].set_mark(start, Mark::Span(wanted));
        // SAFETY: the pieces below `start` and past `end` are free memory outside the span.
        unsafe {
            self.release_range(zone_index, first_claimed, start);
            self.release_range(zone_index, end, last_claimed_end.max(end));
        }
        self.note_taken(wanted - len);
        self.stats.alloc_count += 1;
        self.stats.free_count += 1;
        #[cfg(test)]
        {
            self.slides += 1;
        }
        Some(start)
    }
}

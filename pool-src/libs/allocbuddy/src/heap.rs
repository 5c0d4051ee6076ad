//! The buddy heap: zones, free lists, and the allocation algorithms.
//!
//! - allocate: take the smallest free block of at least the wanted order and split it, giving
//!   the upper halves back to the free lists;
//! - free: merge the block with its buddy (`addr ^ size`) while the buddy is a free block of the
//!   same order in the same zone;
//! - resize: shrink in place by giving back upper halves, grow in place when the block is the
//!   lower half and every buddy up to the wanted order is free (or, for a big block, over the
//!   free blocks that follow it, as a span), move otherwise, and as a last resort slide a big
//!   block down into the free blocks just below it.
//!
//! Big requests (at least [`SPAN_MIN`] bytes, alignment up to a page) may instead get a *span*:
//! a run of whole pages taken from consecutive free blocks, first fit, whatever their orders.
//! That serves requests bigger than any single aligned block (20 MiB out of 30 MiB free), and
//! avoids rounding 9 MiB up to 16 MiB. A span is used when it wastes less than the power-of-two
//! block would, or when no block is big enough. Freeing a span cuts it back into aligned blocks
//! and merges each with its buddies, so the heap coalesces fully either way.

use core::ptr;

use crate::free_list::FreeLists;
use crate::order::{block_size, largest_fitting, order_for, ORDER_LIMIT};
use crate::zone::{Mark, Zone, PAGE};

/// Most zones (memory regions) one heap manages.
pub const MAX_ZONES: usize = 16;

/// Lowest address the heap ever hands out: a block at 0 would look like a null pointer.
const LOWEST_ADDRESS: usize = 4096;

/// Smallest request that may be served by a span instead of one power-of-two block.
pub const SPAN_MIN: usize = 64 * 1024;

/// A live allocation: one buddy block, or a span of pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Live {
    Block(u32),
    Span(usize),
}

impl Live {
    fn size(self) -> usize {
        match self {
            Live::Block(order) => block_size(order),
            Live::Span(len) => len,
        }
    }
}

/// Why a heap operation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeapError {
    /// The region leaves no usable memory after its table.
    RegionTooSmall,
    /// All [`MAX_ZONES`] zones are in use.
    TooManyZones,
    /// The pointer is not the start of a used block of this heap.
    NotABlock,
}

pub use allocglue::HeapStats;

/// A binary buddy allocator over up to [`MAX_ZONES`] memory ranges.
pub struct BuddyHeap {
    zones: [Zone; MAX_ZONES],
    zone_count: usize,
    free: FreeLists,
    stats: HeapStats,
    /// How many resizes slid a block down (tests).
    #[cfg(test)]
    pub slides: usize,
}

// SAFETY: the heap exclusively owns the memory its zones point to; moving it to another context
// moves that ownership along.
unsafe impl Send for BuddyHeap {}

impl Default for BuddyHeap {
    fn default() -> Self {
        Self::new()
    }
}

impl BuddyHeap {
    /// An empty heap; give it memory with [`BuddyHeap::add_region`].
    pub const fn new() -> Self {
        BuddyHeap {
            zones: [Zone::EMPTY; MAX_ZONES],
            zone_count: 0,
            free: FreeLists::new(),
            stats: HeapStats {
                total_bytes: 0,
                used_bytes: 0,
                peak_used_bytes: 0,
                alloc_count: 0,
                free_count: 0,
                failed_count: 0,
            },
            #[cfg(test)]
            slides: 0,
        }
    }

    /// Adds `[base, base + len)` to the heap. Its first 1/33 becomes the zone's block table.
    ///
    /// # Safety
    ///
    /// The range must be writable memory that nothing else uses from now on, and must not
    /// overlap a range added before.
    pub unsafe fn add_region(&mut self, base: usize, len: usize) -> Result<(), HeapError> {
        if self.zone_count == MAX_ZONES {
            return Err(HeapError::TooManyZones);
        }
        let end = base.saturating_add(len);
        let base = base.max(LOWEST_ADDRESS);
        if end <= base {
            return Err(HeapError::RegionTooSmall);
        }
        // SAFETY: the range is ours (caller's contract).
        let zone = unsafe { Zone::carve(base, end) }.ok_or(HeapError::RegionTooSmall)?;
        self.zones[self.zone_count] = zone;
        self.zone_count += 1;
        self.stats.total_bytes += zone.len();
        let zone_index = self.zone_count - 1;
        let mut addr = zone.start;
        while addr < zone.end {
            let order = largest_fitting(addr, zone.end);
            // SAFETY: `addr` is a fresh block of the new zone, in no list.
            unsafe { self.push_free(zone_index, addr, order) };
            addr += block_size(order);
        }
        Ok(())
    }

    /// Allocates `size` bytes aligned to `align` (a power of two; anything up to the block size
    /// is free of charge). Returns `None` when no memory is left.
    pub fn allocate(&mut self, size: usize, align: usize) -> Option<*mut u8> {
        debug_assert!(align.is_power_of_two());
        match self.take(size, align) {
            Some(addr) => {
                self.stats.alloc_count += 1;
                Some(addr as *mut u8)
            }
            None => {
                self.stats.failed_count += 1;
                None
            }
        }
    }

    /// Takes a block or a span for `size` bytes aligned to `align`, whichever wastes less.
    fn take(&mut self, size: usize, align: usize) -> Option<usize> {
        let order = order_for(size, align);
        let span_len = (size >= SPAN_MIN && align <= PAGE)
            .then(|| size.checked_next_multiple_of(PAGE))
            .flatten();
        let Some(span_len) = span_len else {
            return self.take_block(order?);
        };
        let span_first = order.is_none_or(|order| block_size(order) > span_len + span_len / 8);
        if span_first {
            self.take_span(span_len).or_else(|| self.take_block(order?))
        } else {
            self.take_block(order?).or_else(|| self.take_span(span_len))
        }
    }

    /// Gives a block back and merges it with its free buddies.
    ///
    /// # Safety
    ///
    /// `block` must not be used after this call (a wrong pointer is detected and refused as
    /// long as it does not point at the start of another live block).
    pub unsafe fn deallocate(&mut self, block: *mut u8) -> Result<(), HeapError> {
        let addr = block as usize;
        let (zone_index, live) = self.live_at(addr)?;
        self.stats.free_count += 1;
        // SAFETY: the table says `addr` is a live allocation of that zone, now given back.
        unsafe { self.give_back(zone_index, addr, live) };
        Ok(())
    }

    /// Usable size of the used block at `block`.
    pub fn usable_size(&self, block: *const u8) -> Result<usize, HeapError> {
        self.live_at(block as usize).map(|(_, live)| live.size())
    }

    /// Resizes a used block to hold `size` bytes, in place when possible. Returns the block's
    /// (possibly new) address, or `Ok(None)` when no memory is left (the old block is intact).
    ///
    /// # Safety
    ///
    /// `block` must be a live block of this heap; on a move the old address becomes invalid.
    pub unsafe fn resize(
        &mut self,
        block: *mut u8,
        size: usize,
    ) -> Result<Option<*mut u8>, HeapError> {
        let addr = block as usize;
        let (zone_index, live) = self.live_at(addr)?;
        let resized = match live {
            Live::Block(order) => match order_for(size, 1) {
                Some(wanted) if wanted <= order => {
                    // SAFETY: `addr` is a used block of order `order` in that zone.
                    unsafe { self.shrink_in_place(zone_index, addr, order, wanted) };
                    true
                }
                Some(wanted) if self.grow_in_place(zone_index, addr, order, wanted) => true,
                // A big block can still grow over the free memory after it, as a span.
                _ => {
                    size >= SPAN_MIN
                        && block_size(order) >= PAGE
                        && self.extend_in_place(zone_index, addr, block_size(order), size)
                }
            },
            Live::Span(len) => {
                // SAFETY: `addr` is a span of `len` bytes in that zone.
                unsafe { self.resize_span_in_place(zone_index, addr, len, size) }
            }
        };
        if resized {
            return Ok(Some(block));
        }
        let Some(moved) = self.take(size, 1) else {
            // Last resort for big blocks: slide down over the free memory just before it.
            if size >= SPAN_MIN && live.size() >= PAGE {
                // SAFETY: `addr` is the live allocation `live` of that zone.
                if let Some(slid) = unsafe { self.slide(zone_index, addr, live, size) } {
                    return Ok(Some(slid as *mut u8));
                }
            }
            self.stats.failed_count += 1;
            return Ok(None);
        };
        self.stats.alloc_count += 1;
        self.stats.free_count += 1;
        // SAFETY: both allocations are live and distinct; the copy covers the smaller of the two.
        unsafe { ptr::copy_nonoverlapping(block, moved as *mut u8, live.size().min(size)) };
        // SAFETY: the old allocation is live and no longer referenced.
        unsafe { self.give_back(zone_index, addr, live) };
        Ok(Some(moved as *mut u8))
    }

    /// Current counters; `free_bytes` is `total_bytes - used_bytes`.
    pub fn stats(&self) -> HeapStats {
        self.stats
    }

    /// Number of free blocks in all zones (tests).
    #[cfg(test)]
    pub fn free_block_count(&self) -> usize {
        self.zones[..self.zone_count]
            .iter()
            .map(|zone| {
                (zone.start..zone.end)
                    .step_by(crate::order::MIN_BLOCK)
                    .filter(|&addr| matches!(zone.mark(addr), Mark::Free(_)))
                    .count()
            })
            .sum()
    }

    /// Checks that blocks and spans tile every zone and that the free bytes add up (tests).
    #[cfg(test)]
    pub fn verify(&self) {
        let mut free_bytes = 0;
        for zone in &self.zones[..self.zone_count] {
            let mut addr = zone.start;
            while addr < zone.end {
                addr += match zone.mark(addr) {
                    Mark::Free(order) => {
                        free_bytes += block_size(order);
                        block_size(order)
                    }
                    Mark::Used(order) => block_size(order),
                    Mark::Span(len) => len,
                    Mark::None => panic!("no block starts at {addr:#x}"),
                };
            }
            assert_eq!(addr, zone.end, "blocks overrun the zone");
        }
        assert_eq!(free_bytes, self.stats.total_bytes - self.stats.used_bytes);
    }

    /// Finds the zone and kind of the live allocation starting at `addr`.
    fn live_at(&self, addr: usize) -> Result<(usize, Live), HeapError> {
        let zone_index = self.zone_of(addr).ok_or(HeapError::NotABlock)?;
        match self.zones[zone_index].mark(addr) {
            Mark::Used(order) => Ok((zone_index, Live::Block(order))),
            Mark::Span(len) => Ok((zone_index, Live::Span(len))),
            _ => Err(HeapError::NotABlock),
        }
    }

    /// Returns a live allocation's memory to the free lists.
    ///
    /// # Safety
    ///
    /// `live` must be the live allocation at `addr` in zone `zone_index`, no longer used.
    unsafe fn give_back(&mut self, zone_index: usize, addr: usize, live: Live) {
        self.note_released(live.size());
        match live {
            // SAFETY: a used block of that zone (caller's contract).
            Live::Block(order) => unsafe { self.release(zone_index, addr, order) },
            Live::Span(len) => {
                self.zones[zone_index].set_mark(addr, Mark::None);
                // SAFETY: the span's pages are no longer used (caller's contract).
                unsafe { self.release_range(zone_index, addr, addr + len) };
            }
        }
    }

    fn zone_of(&self, addr: usize) -> Option<usize> {
        self.zones[..self.zone_count]
            .iter()
            .position(|zone| zone.contains(addr))
    }

    /// Takes a free block of exactly `order`, splitting a bigger one if needed, and marks it
    /// used.
    fn take_block(&mut self, order: u32) -> Option<usize> {
        let found = (order..ORDER_LIMIT).find(|&o| !self.free.is_empty(o))?;
        // SAFETY: the lists only hold free blocks pushed by `push_free`.
        let addr = unsafe { self.free.pop(found) }?;
        let zone_index = self.zone_of(addr)?;
        let mut current = found;
        while current > order {
            current -= 1;
            // SAFETY: the upper half of the block we just took is free memory of that zone.
            unsafe { self.push_free(zone_index, addr + block_size(current), current) };
        }
        self.zones[zone_index].set_mark(addr, Mark::Used(order));
        self.note_taken(block_size(order));
        Some(addr)
    }

    /// Merges a no-longer-used block with its free buddies and puts the result in a free list.
    ///
    /// # Safety
    ///
    /// `addr` must be a block of `order` in zone `zone_index` that nothing uses.
    unsafe fn release(&mut self, zone_index: usize, mut addr: usize, mut order: u32) {
        let zone = &mut self.zones[zone_index];
        while order + 1 < ORDER_LIMIT {
            let buddy = addr ^ block_size(order);
            if zone.mark(buddy) != Mark::Free(order) {
                break;
            }
            // SAFETY: the table says the buddy is a free block of that order, so it is listed.
            unsafe { self.free.remove(order, buddy) };
            zone.set_mark(addr.max(buddy), Mark::None);
            addr = addr.min(buddy);
            order += 1;
        }
        // SAFETY: `addr` is now a free block of `order` in that zone (caller's contract plus
        // the merged buddies).
        unsafe { self.push_free(zone_index, addr, order) };
    }

    /// Gives back the upper halves of a used block until it has order `wanted`.
    ///
    /// # Safety
    ///
    /// `addr` must be a used block of `order >= wanted` in zone `zone_index`.
    unsafe fn shrink_in_place(&mut self, zone_index: usize, addr: usize, order: u32, wanted: u32) {
        let mut current = order;
        while current > wanted {
            current -= 1;
            // SAFETY: the upper half is part of the caller's block and no longer used; its
            // buddy (the lower half) stays used, so there is nothing to merge with.
            unsafe { self.push_free(zone_index, addr + block_size(current), current) };
        }
        self.zones[zone_index].set_mark(addr, Mark::Used(wanted));
        self.note_released(block_size(order) - block_size(wanted));
    }

    /// Grows a used block to order `wanted` by absorbing its free upper buddies, if all of
    /// them are free. Returns whether it did.
    fn grow_in_place(&mut self, zone_index: usize, addr: usize, order: u32, wanted: u32) -> bool {
        let zone = &self.zones[zone_index];
        let absorbable = (order..wanted)
            .all(|o| addr & block_size(o) == 0 && zone.mark(addr + block_size(o)) == Mark::Free(o));
        if !absorbable {
            return false;
        }
        for o in order..wanted {
            let buddy = addr + block_size(o);
            // SAFETY: checked above that the buddy is a free block of order `o`, so listed.
            unsafe { self.free.remove(o, buddy) };
            self.zones[zone_index].set_mark(buddy, Mark::None);
        }
        self.zones[zone_index].set_mark(addr, Mark::Used(wanted));
        self.note_taken(block_size(wanted) - block_size(order));
        true
    }

    /// Lists a free block and marks it in its zone's table.
    ///
    /// # Safety
    ///
    /// `addr` must be a free block of `order` inside zone `zone_index`, in no list.
    unsafe fn push_free(&mut self, zone_index: usize, addr: usize, order: u32) {
        // SAFETY: `addr` is a free block we own (caller's contract), at least 32 bytes.
        unsafe { self.free.push(order, addr) };
        self.zones[zone_index].set_mark(addr, Mark::Free(order));
    }

    fn note_taken(&mut self, bytes: usize) {
        self.stats.used_bytes += bytes;
        self.stats.peak_used_bytes = self.stats.peak_used_bytes.max(self.stats.used_bytes);
    }

    fn note_released(&mut self, bytes: usize) {
        self.stats.used_bytes -= bytes;
    }
}

mod span;
#[cfg(test)]
mod tests;

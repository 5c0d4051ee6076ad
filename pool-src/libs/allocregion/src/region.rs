//! The region heap: up to [`MAX_REGIONS`] address ranges, each filled from the bottom up.
//!
//! A block at address `b` has a header in the 16 bytes below it: `b - 16` holds [`MAGIC`]
//! (so that a pointer that is not a block is recognized), `b - 8` the block's size. Blocks are
//! aligned to at least [`MIN_ALIGN`]. Freeing the last block of a region moves the region's top
//! back to where that block's header began; any other free only updates the counters.

use core::ptr;

/// Most regions one heap manages.
pub const MAX_REGIONS: usize = 16;
/// Every block is aligned to at least this (ukalloc's `UK_ALLOC_MIN_ALIGN`).
pub const MIN_ALIGN: usize = 16;
/// Bytes of header below each block.
pub const HEADER: usize = 16;
/// First header word of a live block.
const MAGIC: usize = 0x756b_7265_6769_6f6e; // "ukregion"
/// First header word of a freed block (so a double free is recognized).
const FREED: usize = 0x6672_6565_6420_2020; // "freed   "
/// Lowest address the heap ever hands out: a block at 0 would look like a null pointer.
const LOWEST_ADDRESS: usize = 4096;

/// Why a heap operation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionError {
    /// The range holds no room for even one small block.
    RegionTooSmall,
    /// All [`MAX_REGIONS`] regions are in use.
    TooManyRegions,
    /// The pointer is not a live block of this heap.
    NotABlock,
}

/// Counters, in bytes and blocks. `used_bytes` is the bytes between each region's start and its
/// top: live blocks, their headers, padding, and freed blocks that could not be given back.
pub use allocglue::HeapStats as Stats;

#[derive(Clone, Copy, Debug, Default)]
struct Region {
    start: usize,
    top: usize,
    end: usize,
}

impl Region {
    fn contains(&self, address: usize) -> bool {
        address >= self.start + HEADER && address < self.top
    }
}

/// A bump allocator over several regions.
pub struct RegionHeap {
    regions: [Region; MAX_REGIONS],
    count: usize,
    stats: Stats,
}

impl Default for RegionHeap {
    fn default() -> Self {
        Self::new()
    }
}

fn align_up(value: usize, align: usize) -> Option<usize> {
    Some(value.checked_add(align - 1)? & !(align - 1))
}

impl RegionHeap {
    pub const fn new() -> Self {
        RegionHeap {
            regions: [Region {
                start: 0,
                top: 0,
                end: 0,
            }; MAX_REGIONS],
            count: 0,
            stats: Stats {
                total_bytes: 0,
                used_bytes: 0,
                peak_used_bytes: 0,
                alloc_count: 0,
                free_count: 0,
                failed_count: 0,
            },
        }
    }

    /// Adds `[base, base + len)` to the heap.
    ///
    /// # Safety
    ///
    /// The range must be writable memory that nothing else uses and that does not overlap a
    /// range already added.
    pub unsafe fn add_region(&mut self, base: usize, len: usize) -> Result<(), RegionError> {
        let end = base.saturating_add(len);
        let start = match align_up(base.max(LOWEST_ADDRESS), MIN_ALIGN) {
            Some(start) if start < end && end - start >= HEADER + MIN_ALIGN => start,
            _ => return Err(RegionError::RegionTooSmall),
        };
        if self.count == MAX_REGIONS {
            return Err(RegionError::TooManyRegions);
        }
        self.regions[self.count] = Region {
            start,
            top: start,
            end,
        };
        self.count += 1;
        self.stats.total_bytes += end - start;
        Ok(())
    }

    /// A block of `size` bytes aligned to `align` (a power of two), or `None` when no region
    /// has room.
    pub fn allocate(&mut self, size: usize, align: usize) -> Option<*mut u8> {
        let align = align.max(MIN_ALIGN);
        let size = size.max(1);
        for region in &mut self.regions[..self.count] {
            let Some(block) = region
                .top
                .checked_add(HEADER)
                .and_then(|a| align_up(a, align))
            else {
                continue;
            };
            let Some(top) = block.checked_add(size).and_then(|t| align_up(t, MIN_ALIGN)) else {
                continue;
            };
            if top > region.end {
                continue;
            }
            // SAFETY: `block - HEADER .. block` lies inside the region, above its top, so it is
            // memory the heap owns and nothing else uses.
            unsafe {
                ptr::write((block - HEADER) as *mut usize, MAGIC);
                ptr::write((block - 8) as *mut usize, size);
            }
            self.stats.used_bytes += top - region.top;
            self.stats.peak_used_bytes = self.stats.peak_used_bytes.max(self.stats.used_bytes);
            self.stats.alloc_count += 1;
            region.top = top;
            return Some(block as *mut u8);
        }
        self.stats.failed_count += 1;
        None
    }

    fn find(&self, block: usize) -> Result<usize, RegionError> {
        let index = self.regions[..self.count]
            .iter()
            .position(|r| r.contains(block) && block.is_multiple_of(MIN_ALIGN))
            .ok_or(RegionError::NotABlock)?;
        // SAFETY: the header lies inside the used part of a region of this heap.
        let magic = unsafe { ptr::read((block - HEADER) as *const usize) };
        if magic == MAGIC {
            Ok(index)
        } else {
            Err(RegionError::NotABlock)
        }
    }

    /// The size asked for when `block` was allocated.
    pub fn usable_size(&self, block: *const u8) -> Result<usize, RegionError> {
        let block = block as usize;
        self.find(block)?;
        // SAFETY: `find` checked that a live block's header is there.
        Ok(unsafe { ptr::read((block - 8) as *const usize) })
    }

    /// Gives `block` back: its region shrinks when it is the region's last block.
    ///
    /// # Safety
    ///
    /// Nobody may use the block afterwards.
    pub unsafe fn deallocate(&mut self, block: *mut u8) -> Result<(), RegionError> {
        let address = block as usize;
        let index = self.find(address)?;
        let size = self.usable_size(block)?;
        // SAFETY: `find` checked that the header belongs to a live block of this heap.
        unsafe { ptr::write((address - HEADER) as *mut usize, FREED) };
        self.stats.free_count += 1;
        let region = &mut self.regions[index];
        let end = align_up(address + size, MIN_ALIGN).unwrap_or(usize::MAX);
        if end == region.top {
            let new_top = address - HEADER;
            self.stats.used_bytes -= region.top - new_top;
            region.top = new_top;
        }
        Ok(())
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A heap over a leaked, 4 KiB-aligned buffer of `len` bytes.
    fn heap(len: usize) -> (RegionHeap, usize) {
        let layout = std::alloc::Layout::from_size_align(len, 4096).unwrap();
        // SAFETY: the layout has a non-zero size.
        let base = unsafe { std::alloc::alloc(layout) } as usize;
        assert_ne!(base, 0);
        let mut heap = RegionHeap::new();
        // SAFETY: the buffer is ours and leaked.
        unsafe { heap.add_region(base, len) }.unwrap();
        (heap, base)
    }

    #[test]
    fn blocks_are_aligned_and_disjoint() {
        let (mut heap, base) = heap(1 << 20);
        let mut previous_end = base;
        for (size, align) in [(1, 1), (100, 16), (7, 64), (4096, 4096), (33, 8)] {
            let block = heap.allocate(size, align).unwrap() as usize;
            assert_eq!(block % align.max(MIN_ALIGN), 0);
            assert!(block - HEADER >= previous_end);
            assert_eq!(heap.usable_size(block as *const u8), Ok(size));
            // SAFETY: the block is `size` bytes of the heap's memory.
            unsafe { ptr::write_bytes(block as *mut u8, 0xa5, size) };
            previous_end = block + size;
        }
        assert_eq!(heap.stats().alloc_count, 5);
    }

    #[test]
    fn freeing_the_last_block_gives_it_back() {
        let (mut heap, _) = heap(1 << 16);
        let first = heap.allocate(100, 16).unwrap();
        let used = heap.stats().used_bytes;
        for _ in 0..1000 {
            let block = heap.allocate(1000, 16).unwrap();
            // SAFETY: nothing uses the block.
            unsafe { heap.deallocate(block) }.unwrap();
        }
        assert_eq!(heap.stats().used_bytes, used);
        // A block below the top is not reused.
        let second = heap.allocate(100, 16).unwrap();
        // SAFETY: nothing uses the block.
        unsafe { heap.deallocate(first) }.unwrap();
        assert!(heap.stats().used_bytes > used);
        assert_ne!(second, first);
    }

    #[test]
    fn exhaustion_fails_and_moves_to_the_next_region() {
        let (mut heap, _) = heap(4096);
        assert!(heap.allocate(8192, 16).is_none());
        assert_eq!(heap.stats().failed_count, 1);
        let layout = std::alloc::Layout::from_size_align(1 << 16, 4096).unwrap();
        // SAFETY: non-zero size; the buffer is leaked to the heap.
        let second = unsafe { std::alloc::alloc(layout) } as usize;
        // SAFETY: as above.
        unsafe { heap.add_region(second, 1 << 16) }.unwrap();
        let block = heap.allocate(8192, 16).unwrap() as usize;
        assert!(block >= second && block < second + (1 << 16));
    }

    #[test]
    fn bad_pointers_and_double_frees_are_refused() {
        let (mut heap, base) = heap(1 << 16);
        let block = heap.allocate(64, 16).unwrap();
        let _keep = heap.allocate(64, 16).unwrap();
        // SAFETY: refused before anything is written.
        assert_eq!(
            unsafe { heap.deallocate((base + (1 << 20)) as *mut u8) },
            Err(RegionError::NotABlock)
        );
        // SAFETY: nothing uses the block.
        unsafe { heap.deallocate(block) }.unwrap();
        // SAFETY: refused: the header says freed.
        assert_eq!(
            unsafe { heap.deallocate(block) },
            Err(RegionError::NotABlock)
        );
    }

    #[test]
    fn tiny_and_too_many_regions_are_refused() {
        let mut heap = RegionHeap::new();
        // SAFETY: refused before anything is written.
        assert_eq!(
            unsafe { heap.add_region(0x10000, 16) },
            Err(RegionError::RegionTooSmall)
        );
        let layout = std::alloc::Layout::from_size_align(4096 * MAX_REGIONS, 4096).unwrap();
        // SAFETY: non-zero size; leaked.
        let base = unsafe { std::alloc::alloc(layout) } as usize;
        for i in 0..MAX_REGIONS {
            // SAFETY: disjoint pages of our buffer.
            unsafe { heap.add_region(base + i * 4096, 4096) }.unwrap();
        }
        // SAFETY: refused before anything is written.
        assert_eq!(
            unsafe { heap.add_region(base, 4096) },
            Err(RegionError::TooManyRegions)
        );
    }
}

//! Host tests of the buddy heap over `Vec`-backed regions.

use super::*;
use crate::zone::PAGE;

/// A region of host memory, 4 KiB-aligned, of `len` bytes (rounded up to 4 KiB).
struct Arena {
    _memory: Vec<Page>,
    base: usize,
    len: usize,
}

#[repr(C, align(4096))]
#[derive(Clone, Copy)]
struct Page([u8; 4096]);

impl Arena {
    fn new(len: usize) -> Arena {
        let pages = len.div_ceil(4096);
        let memory = vec![Page([0xa5; 4096]); pages];
        let base = memory.as_ptr() as usize;
        Arena {
            _memory: memory,
            base,
            len: pages * 4096,
        }
    }
}

fn heap_over(arena: &Arena) -> BuddyHeap {
    let mut heap = BuddyHeap::new();
    // SAFETY: the arena outlives the heap in every test and is used by nothing else.
    unsafe { heap.add_region(arena.base, arena.len) }.unwrap();
    heap
}

/// Deterministic pseudo-random numbers (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

#[test]
fn allocations_are_aligned_distinct_and_inside_the_region() {
    let arena = Arena::new(1 << 20);
    let mut heap = heap_over(&arena);
    let mut blocks = Vec::new();
    for size in [1usize, 16, 31, 32, 33, 100, 4096, 5000, 65536] {
        let block = heap.allocate(size, 1).unwrap() as usize;
        assert_eq!(block % 16, 0, "malloc alignment for {size}");
        assert!(block >= arena.base && block + size <= arena.base + arena.len);
        assert!(heap.usable_size(block as *const u8).unwrap() >= size);
        blocks.push((block, size));
    }
    blocks.sort();
    for pair in blocks.windows(2) {
        assert!(pair[0].0 + pair[0].1 <= pair[1].0, "overlap: {pair:?}");
    }
}

#[test]
fn memalign_honours_large_alignments() {
    let arena = Arena::new(4 << 20);
    let mut heap = heap_over(&arena);
    for align in [16usize, 64, 4096, 8192, 65536, 1 << 20] {
        let block = heap.allocate(24, align).unwrap() as usize;
        assert_eq!(block % align, 0, "alignment {align}");
    }
}

#[test]
fn page_sized_requests_cost_one_page() {
    let arena = Arena::new(1 << 20);
    let mut heap = heap_over(&arena);
    let before = heap.stats().used_bytes;
    let block = heap.allocate(4096, 4096).unwrap();
    assert_eq!(heap.stats().used_bytes - before, 4096);
    assert_eq!(block as usize % 4096, 0);
}

#[test]
fn freeing_everything_coalesces_back_to_the_initial_blocks() {
    let arena = Arena::new(1 << 20);
    let mut heap = heap_over(&arena);
    let initial_blocks = heap.free_block_count();
    let mut blocks = Vec::new();
    while let Some(block) = heap.allocate(48, 1) {
        blocks.push(block);
    }
    assert!(blocks.len() > 10_000);
    assert_eq!(heap.stats().failed_count, 1);
    // Free in an interleaved order to exercise merges from both sides.
    let (even, odd): (Vec<_>, Vec<_>) = blocks.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    for (_, &block) in odd.into_iter().chain(even) {
        // SAFETY: each block is live and freed once.
        unsafe { heap.deallocate(block) }.unwrap();
    }
    let stats = heap.stats();
    assert_eq!(stats.used_bytes, 0);
    assert_eq!(stats.alloc_count, stats.free_count);
    assert_eq!(heap.free_block_count(), initial_blocks);
}

#[test]
fn exhaustion_returns_none_and_memory_comes_back() {
    let arena = Arena::new(64 << 10);
    let mut heap = heap_over(&arena);
    assert!(heap.allocate(1 << 20, 1).is_none());
    let total = heap.stats().total_bytes;
    assert!(total > 60 << 10 && total < 64 << 10);
    let big = heap.allocate(32 << 10, 1).unwrap();
    // SAFETY: live block, freed once.
    unsafe { heap.deallocate(big) }.unwrap();
    assert!(heap.allocate(32 << 10, 1).is_some());
}

#[test]
fn double_and_wild_frees_are_refused() {
    let arena = Arena::new(64 << 10);
    let mut heap = heap_over(&arena);
    let block = heap.allocate(100, 1).unwrap();
    // SAFETY: the first free is legitimate; the others must be detected, not performed.
    unsafe {
        assert_eq!(heap.deallocate(block.add(32)), Err(HeapError::NotABlock));
        heap.deallocate(block).unwrap();
        assert_eq!(heap.deallocate(block), Err(HeapError::NotABlock));
        assert_eq!(heap.deallocate(8 as *mut u8), Err(HeapError::NotABlock));
    }
    assert_eq!(heap.stats().used_bytes, 0);
}

#[test]
fn resize_grows_in_place_when_the_buddy_is_free() {
    let arena = Arena::new(1 << 20);
    let mut heap = heap_over(&arena);
    // Shrinking a page to 64 bytes frees its upper halves: the buddies of every order up to the
    // page are then free, so growing back stays in place.
    let page = heap.allocate(4096, 1).unwrap();
    // SAFETY: live block.
    let block = unsafe { heap.resize(page, 64) }.unwrap().unwrap();
    assert_eq!(block, page);
    // SAFETY: the block holds 64 bytes.
    unsafe { block.write_bytes(7, 64) };
    // SAFETY: live block.
    let grown = unsafe { heap.resize(block, 1000) }.unwrap().unwrap();
    assert_eq!(grown, block);
    assert_eq!(heap.usable_size(grown).unwrap(), 1024);
    // SAFETY: the block holds 1024 bytes.
    assert!(unsafe { std::slice::from_raw_parts(grown, 64) }
        .iter()
        .all(|&b| b == 7));
    assert_eq!(heap.stats().used_bytes, 1024);
}

#[test]
fn resize_moves_when_the_buddy_is_taken_and_keeps_contents() {
    let arena = Arena::new(1 << 20);
    let mut heap = heap_over(&arena);
    let first = heap.allocate(64, 1).unwrap();
    let neighbour = heap.allocate(64, 1).unwrap();
    assert_eq!(neighbour as usize, first as usize + 64);
    // SAFETY: 64-byte block.
    unsafe { (0..64).for_each(|i| first.add(i).write(i as u8)) };
    // SAFETY: live block.
    let moved = unsafe { heap.resize(first, 200) }.unwrap().unwrap();
    assert_ne!(moved, first);
    // SAFETY: the new block holds 256 bytes.
    unsafe { (0..64).for_each(|i| assert_eq!(moved.add(i).read(), i as u8)) };
    assert_eq!(heap.usable_size(first), Err(HeapError::NotABlock));
}

#[test]
fn resize_shrinks_in_place_and_frees_the_rest() {
    let arena = Arena::new(1 << 20);
    let mut heap = heap_over(&arena);
    let block = heap.allocate(8192, 1).unwrap();
    let used = heap.stats().used_bytes;
    // SAFETY: live block.
    let shrunk = unsafe { heap.resize(block, 100) }.unwrap().unwrap();
    assert_eq!(shrunk, block);
    assert_eq!(heap.stats().used_bytes, used - 8192 + 128);
    // The freed upper halves are usable again, next to the shrunk block.
    let next = heap.allocate(128, 1).unwrap();
    assert_eq!(next as usize, block as usize + 128);
}

#[test]
fn several_regions_with_unaligned_bounds() {
    let first = Arena::new(256 << 10);
    let second = Arena::new(300 << 10);
    let mut heap = BuddyHeap::new();
    // SAFETY: the arenas outlive the heap and are used by nothing else.
    unsafe {
        heap.add_region(first.base + 100, first.len - 300).unwrap();
        heap.add_region(second.base + 4096 * 3 + 8, second.len - 4096 * 3 - 8)
            .unwrap();
    }
    let initial_blocks = heap.free_block_count();
    let mut blocks = Vec::new();
    while let Some(block) = heap.allocate(4000, 1) {
        let addr = block as usize;
        let in_first = addr >= first.base + 100 && addr + 4096 <= first.base + first.len - 200;
        let in_second = addr >= second.base && addr + 4096 <= second.base + second.len;
        assert!(in_first || in_second);
        blocks.push(block);
    }
    assert!(blocks.len() > 100);
    for block in blocks {
        // SAFETY: live blocks, freed once.
        unsafe { heap.deallocate(block) }.unwrap();
    }
    assert_eq!(heap.free_block_count(), initial_blocks);
}

#[test]
fn tiny_regions_and_too_many_zones_are_refused() {
    let arena = Arena::new(64 << 10);
    let mut heap = BuddyHeap::new();
    // SAFETY: the arena outlives the heap; the slices handed over do not overlap.
    unsafe {
        assert_eq!(
            heap.add_region(arena.base, 32),
            Err(HeapError::RegionTooSmall)
        );
        assert_eq!(heap.add_region(0, 4096), Err(HeapError::RegionTooSmall));
        for i in 0..MAX_ZONES {
            heap.add_region(arena.base + i * 4096, 4096).unwrap();
        }
    }
    // SAFETY: as above.
    let refused = unsafe { heap.add_region(arena.base + MAX_ZONES * 4096, 4096) };
    assert_eq!(refused, Err(HeapError::TooManyZones));
}

#[test]
fn a_span_serves_more_than_the_largest_aligned_block() {
    let arena = Arena::new(6 << 20);
    let mut heap = heap_over(&arena);
    let initial_blocks = heap.free_block_count();
    // The largest aligned block inside ~5.8 MiB of managed memory is at most 4 MiB.
    let size = (4 << 20) + 12345;
    let block = heap
        .allocate(size, 16)
        .expect("a span of consecutive free blocks");
    assert_eq!(block as usize % PAGE, 0);
    assert!(block as usize >= arena.base && block as usize + size <= arena.base + arena.len);
    let len = size.next_multiple_of(PAGE);
    assert_eq!(heap.usable_size(block), Ok(len));
    assert_eq!(heap.stats().used_bytes, len);
    // SAFETY: the span holds `len` bytes.
    unsafe { block.write_bytes(0x5a, len) };
    // Small blocks still come from what is left.
    let small = heap.allocate(100, 1).unwrap() as usize;
    assert!(small + 100 <= block as usize || small >= block as usize + len);
    // SAFETY: live allocations, freed once.
    unsafe {
        heap.deallocate(small as *mut u8).unwrap();
        heap.deallocate(block).unwrap();
    }
    assert_eq!(heap.stats().used_bytes, 0);
    assert_eq!(heap.free_block_count(), initial_blocks);
    heap.verify();
}

#[test]
fn big_requests_are_not_rounded_up_to_a_power_of_two() {
    let arena = Arena::new(8 << 20);
    let mut heap = heap_over(&arena);
    let size = (1 << 20) + 1;
    let block = heap.allocate(size, 1).unwrap();
    assert_eq!(heap.stats().used_bytes, size.next_multiple_of(PAGE));
    // A request that fits a power of two snugly still gets a buddy block.
    let exact = heap.allocate(1 << 20, 1).unwrap();
    assert_eq!(heap.usable_size(exact), Ok(1 << 20));
    // SAFETY: live allocations, freed once.
    unsafe {
        heap.deallocate(block).unwrap();
        heap.deallocate(exact).unwrap();
    }
    assert_eq!(heap.stats().used_bytes, 0);
}

#[test]
fn spans_resize_in_place_and_move_when_blocked() {
    let arena = Arena::new(8 << 20);
    let mut heap = heap_over(&arena);
    let initial_blocks = heap.free_block_count();
    let span = heap.allocate(300 << 10, 1).unwrap();
    // SAFETY: the span holds 300 KiB.
    unsafe { (0..300 << 10).for_each(|i| span.add(i).write(i as u8)) };
    // SAFETY: live span; after each call only the returned address is used.
    unsafe {
        let grown = heap.resize(span, 500 << 10).unwrap().unwrap();
        assert_eq!(grown, span, "the fresh heap has free blocks after the span");
        assert_eq!(heap.usable_size(grown), Ok(500 << 10));
        let trimmed = heap.resize(grown, 200 << 10).unwrap().unwrap();
        assert_eq!(trimmed, span);
        assert_eq!(heap.stats().used_bytes, 200 << 10);
        // Spans are first fit: the next one starts right after the first, so growing the first
        // must move it, keeping its bytes.
        let blocker = heap.allocate(SPAN_MIN + PAGE, 1).unwrap();
        assert_eq!(blocker as usize, span as usize + (200 << 10));
        let moved = heap.resize(trimmed, 1 << 20).unwrap().unwrap();
        assert_ne!(moved, span);
        assert!((0..200 << 10).all(|i| moved.add(i).read() == i as u8));
        // Shrinking a span to a small size moves it into a block.
        let small = heap.resize(moved, 100).unwrap().unwrap();
        assert!(heap.usable_size(small).unwrap() < 4096);
        assert!((0..100).all(|i| small.add(i).read() == i as u8));
        heap.deallocate(small).unwrap();
        heap.deallocate(blocker).unwrap();
    }
    assert_eq!(heap.stats().used_bytes, 0);
    assert_eq!(heap.free_block_count(), initial_blocks);
    heap.verify();
}

#[test]
fn a_big_upper_half_grows_in_place_as_a_span() {
    let arena = Arena::new(4 << 20);
    let mut heap = heap_over(&arena);
    let initial_blocks = heap.free_block_count();
    let mut blocks: Vec<*mut u8> = (0..8)
        .map(|_| heap.allocate(SPAN_MIN, 1).unwrap())
        .collect();
    // An upper half cannot grow by buddy merging; keep the lowest one, free the rest.
    blocks.sort();
    let upper = blocks
        .iter()
        .position(|&b| b as usize & SPAN_MIN != 0)
        .expect("splitting hands out upper halves too");
    let block = blocks.remove(upper);
    for other in blocks {
        // SAFETY: live blocks, freed once.
        unsafe { heap.deallocate(other) }.unwrap();
    }
    // SAFETY: the block holds SPAN_MIN bytes.
    unsafe { block.write_bytes(9, SPAN_MIN) };
    // SAFETY: live block.
    let grown = unsafe { heap.resize(block, 100 << 10) }.unwrap().unwrap();
    assert_eq!(grown, block);
    assert_eq!(
        heap.usable_size(grown),
        Ok((100usize << 10).next_multiple_of(PAGE))
    );
    // SAFETY: the span holds 100 KiB.
    assert!(unsafe { std::slice::from_raw_parts(grown, SPAN_MIN) }
        .iter()
        .all(|&b| b == 9));
    heap.verify();
    // SAFETY: live span, freed once.
    unsafe { heap.deallocate(grown) }.unwrap();
    assert_eq!(heap.free_block_count(), initial_blocks);
}

#[test]
fn random_workload_keeps_blocks_intact_and_ends_fully_coalesced() {
    let arena = Arena::new(8 << 20);
    let mut heap = heap_over(&arena);
    let initial_blocks = heap.free_block_count();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Live blocks: (address, requested size, fill byte).
    let mut live: Vec<(*mut u8, usize, u8)> = Vec::new();
    for step in 0..20_000u32 {
        if step % 500 == 0 {
            heap.verify();
        }
        let action = rng.below(10);
        if action < 5 || live.is_empty() {
            let size = match rng.below(5) {
                0 => rng.below(64) as usize,
                1 => rng.below(1024) as usize,
                2 => rng.below(16384) as usize,
                3 if rng.below(8) == 0 => rng.below(400_000) as usize,
                _ => 4096,
            };
            let align = 1usize << rng.below(14);
            if let Some(block) = heap.allocate(size, align) {
                assert_eq!(block as usize % align.max(16), 0);
                let fill = step as u8;
                // SAFETY: the block holds at least `size` bytes.
                unsafe { block.write_bytes(fill, size) };
                live.push((block, size, fill));
            }
        } else if action < 8 {
            let (block, size, fill) = live.swap_remove(rng.below(live.len() as u64) as usize);
            // SAFETY: the block is live and holds `size` bytes.
            unsafe {
                assert!(std::slice::from_raw_parts(block, size)
                    .iter()
                    .all(|&b| b == fill));
                heap.deallocate(block).unwrap();
            }
        } else {
            let index = rng.below(live.len() as u64) as usize;
            let (block, size, fill) = live[index];
            let new_size = if rng.below(10) == 0 {
                rng.below(300_000) as usize
            } else {
                rng.below(8192) as usize
            };
            // SAFETY: the block is live; after a move only the new address is used.
            if let Some(resized) = unsafe { heap.resize(block, new_size) }.unwrap() {
                let kept = size.min(new_size);
                // SAFETY: the block holds at least `new_size` bytes.
                unsafe {
                    assert!(std::slice::from_raw_parts(resized, kept)
                        .iter()
                        .all(|&b| b == fill));
                    resized.write_bytes(fill, new_size);
                }
                live[index] = (resized, new_size, fill);
            }
        }
    }
    let stats = heap.stats();
    assert!(stats.peak_used_bytes >= stats.used_bytes);
    for (block, size, fill) in live {
        // SAFETY: the remaining live blocks, each freed once.
        unsafe {
            assert!(std::slice::from_raw_parts(block, size)
                .iter()
                .all(|&b| b == fill));
            heap.deallocate(block).unwrap();
        }
    }
    assert_eq!(heap.stats().used_bytes, 0);
    assert_eq!(heap.free_block_count(), initial_blocks);
    heap.verify();
}

#[test]
fn under_memory_pressure_big_blocks_slide_down_and_nothing_is_lost() {
    let arena = Arena::new(2 << 20);
    let mut heap = heap_over(&arena);
    let initial_blocks = heap.free_block_count();
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let mut live: Vec<(*mut u8, usize, u8)> = Vec::new();
    for step in 0..3_000u32 {
        if step % 250 == 0 {
            heap.verify();
        }
        let grow = live.len() < 3 || rng.below(3) != 0;
        if grow && live.len() < 6 {
            let size = (rng.below(256) as usize + 1) << 10;
            if let Some(block) = heap.allocate(size, 1) {
                let fill = step as u8;
                // SAFETY: the block holds `size` bytes.
                unsafe { block.write_bytes(fill, size) };
                live.push((block, size, fill));
            }
        } else if rng.below(2) == 0 && !live.is_empty() {
            let index = rng.below(live.len() as u64) as usize;
            let (block, size, fill) = live[index];
            let new_size = size + (rng.below(512) as usize + 1) * 1024;
            // SAFETY: the block is live; after a move only the new address is used.
            if let Some(resized) = unsafe { heap.resize(block, new_size) }.unwrap() {
                // SAFETY: the block holds at least `new_size` bytes.
                unsafe {
                    assert!(std::slice::from_raw_parts(resized, size)
                        .iter()
                        .all(|&b| b == fill));
                    resized.write_bytes(fill, new_size);
                }
                live[index] = (resized, new_size, fill);
            }
        } else if !live.is_empty() {
            let (block, size, fill) = live.swap_remove(rng.below(live.len() as u64) as usize);
            // SAFETY: the block is live and holds `size` bytes.
            unsafe {
                assert!(std::slice::from_raw_parts(block, size)
                    .iter()
                    .all(|&b| b == fill));
                heap.deallocate(block).unwrap();
            }
        }
    }
    assert!(heap.slides > 0, "the workload should need slides");
    for (block, size, fill) in live {
        // SAFETY: the remaining live blocks, each freed once.
        unsafe {
            assert!(std::slice::from_raw_parts(block, size)
                .iter()
                .all(|&b| b == fill));
            heap.deallocate(block).unwrap();
        }
    }
    heap.verify();
    assert_eq!(heap.stats().used_bytes, 0);
    assert_eq!(heap.free_block_count(), initial_blocks);
}

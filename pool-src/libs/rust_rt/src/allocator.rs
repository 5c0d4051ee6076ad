//! `#[global_allocator]` over the pool's allocator API (`ukalloc`).
//!
//! `uk_malloc` returns blocks aligned to at least [`MIN_ALIGN`] bytes; larger alignments go
//! through `uk_memalign`. A failed allocation returns null, and alloc's error handler panics.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr;

/// Alignment that `uk_malloc`, `uk_calloc` and `uk_realloc` always guarantee (see ukalloc.h).
const MIN_ALIGN: usize = 16;

extern "C" {
    fn uk_malloc(size: usize) -> *mut u8;
    fn uk_calloc(count: usize, size: usize) -> *mut u8;
    fn uk_realloc(block: *mut u8, size: usize) -> *mut u8;
    fn uk_memalign(align: usize, size: usize) -> *mut u8;
    fn uk_free(block: *mut u8);
}

/// The allocator every Rust crate of the image uses.
struct PoolAllocator;

#[global_allocator]
static ALLOCATOR: PoolAllocator = PoolAllocator;

// SAFETY: the ukalloc API returns distinct live blocks of at least the requested size, aligned
// as requested (or null), and keeps them valid until they are freed.
unsafe impl GlobalAlloc for PoolAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MIN_ALIGN {
            // SAFETY: plain C allocation call; any size is acceptable.
            unsafe { uk_malloc(layout.size()) }
        } else {
            // SAFETY: `layout.align()` is a power of two, as uk_memalign requires.
            unsafe { uk_memalign(layout.align(), layout.size()) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MIN_ALIGN {
            // SAFETY: plain C allocation call; uk_calloc zeroes the block.
            unsafe { uk_calloc(1, layout.size()) }
        } else {
            // SAFETY: as in `alloc`; on success the block has `layout.size()` writable bytes.
            unsafe {
                let block = uk_memalign(layout.align(), layout.size());
                if !block.is_null() {
                    ptr::write_bytes(block, 0, layout.size());
                }
                block
            }
        }
    }

    unsafe fn dealloc(&self, block: *mut u8, _layout: Layout) {
        // SAFETY: the caller passes a block this allocator returned and has not freed yet.
        unsafe { uk_free(block) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= MIN_ALIGN {
            // SAFETY: `block` is live and was allocated with alignment <= MIN_ALIGN, which
            // uk_realloc preserves.
            return unsafe { uk_realloc(block, new_size) };
        }
        // uk_realloc only guarantees MIN_ALIGN: move over-aligned blocks by hand.
        // SAFETY: `layout.align()` is a power of two; the copy covers the smaller of the two
        // sizes, both blocks are live and distinct.
        unsafe {
            let moved = uk_memalign(layout.align(), new_size);
            if !moved.is_null() {
                ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                uk_free(block);
            }
            moved
        }
    }
}

//! The `uk_*` allocation entry points of `include/uk/alloc.h`.

use core::ffi::c_void;
use core::ptr;

use crate::ops::{registered, AllocStats};

/// Allocates `size` bytes aligned to 16, or returns null.
///
/// # Safety
///
/// Always safe to call; `unsafe` because it is a C entry point into the registered allocator.
#[no_mangle]
pub unsafe extern "C" fn uk_malloc(size: usize) -> *mut c_void {
    match registered() {
        // SAFETY: the registered table's malloc accepts any size.
        Some(ops) => unsafe { (ops.malloc)(size) },
        None => ptr::null_mut(),
    }
}

/// Allocates `count * size` zeroed bytes, or returns null (also when the product overflows).
///
/// # Safety
///
/// As for [`uk_malloc`].
#[no_mangle]
pub unsafe extern "C" fn uk_calloc(count: usize, size: usize) -> *mut c_void {
    let Some(total) = count.checked_mul(size) else {
        return ptr::null_mut();
    };
    // SAFETY: plain allocation.
    let block = unsafe { uk_malloc(total) };
    if !block.is_null() {
        // SAFETY: the block has at least `total` writable bytes.
        unsafe { ptr::write_bytes(block.cast::<u8>(), 0, total) };
    }
    block
}

/// Allocates `size` bytes aligned to `align` (a power of two), or returns null.
///
/// # Safety
///
/// As for [`uk_malloc`].
#[no_mangle]
pub unsafe extern "C" fn uk_memalign(align: usize, size: usize) -> *mut c_void {
    if !align.is_power_of_two() {
        return ptr::null_mut();
    }
    match registered() {
        // SAFETY: `align` is a power of two, as the table's memalign requires.
        Some(ops) => unsafe { (ops.memalign)(align, size) },
        None => ptr::null_mut(),
    }
}

/// Gives a block back; null is ignored.
///
/// # Safety
///
/// `block` must be null or a live block returned by this API.
#[no_mangle]
pub unsafe extern "C" fn uk_free(block: *mut c_void) {
    if block.is_null() {
        return;
    }
    if let Some(ops) = registered() {
        // SAFETY: `block` is a live, non-null block of this allocator (caller's contract).
        unsafe { (ops.free)(block) }
    }
}

/// Usable size of a live block (at least what was asked for); 0 for null.
///
/// # Safety
///
/// `block` must be null or a live block returned by this API.
#[no_mangle]
pub unsafe extern "C" fn uk_malloc_usable_size(block: *const c_void) -> usize {
    match registered() {
        // SAFETY: non-null live block (caller's contract).
        Some(ops) if !block.is_null() => unsafe { (ops.usable_size)(block) },
        _ => 0,
    }
}

/// Resizes a block, keeping its contents up to the smaller size.
///
/// `(NULL, n)` allocates; `(p, 0)` frees `p` and returns null. On failure the old block is left
/// untouched and null is returned.
///
/// # Safety
///
/// `block` must be null or a live block returned by this API.
#[no_mangle]
pub unsafe extern "C" fn uk_realloc(block: *mut c_void, size: usize) -> *mut c_void {
    if block.is_null() {
        // SAFETY: plain allocation.
        return unsafe { uk_malloc(size) };
    }
    if size == 0 {
        // SAFETY: live block (caller's contract).
        unsafe { uk_free(block) };
        return ptr::null_mut();
    }
    let Some(ops) = registered() else {
        return ptr::null_mut();
    };
    if let Some(realloc) = ops.realloc {
        // SAFETY: non-null live block and non-zero size, as the table's realloc requires.
        return unsafe { realloc(block, size) };
    }
    // SAFETY: `block` is live; the new block is distinct and holds at least `size` bytes, and
    // the copy covers no more than either block's usable size.
    unsafe {
        let moved = (ops.malloc)(size);
        if !moved.is_null() {
            let keep = (ops.usable_size)(block).min(size);
            ptr::copy_nonoverlapping(block.cast::<u8>(), moved.cast::<u8>(), keep);
            (ops.free)(block);
        }
        moved
    }
}

/// Fills `*out` with the registered allocator's counters (zeros when there is none).
///
/// # Safety
///
/// `out` must be null (ignored) or valid for writing one `struct uk_alloc_stats`.
#[no_mangle]
pub unsafe extern "C" fn uk_alloc_stats(out: *mut AllocStats) {
    if out.is_null() {
        return;
    }
    match registered() {
        // SAFETY: `out` is valid for writes (caller's contract).
        Some(ops) => unsafe { (ops.stats)(out) },
        // SAFETY: as above.
        None => unsafe { out.write(AllocStats::default()) },
    }
}

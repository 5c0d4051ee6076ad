//! `struct uk_alloc_ops` and the C functions in it, generic over the heap: each allocator
//! instantiates them for its own global.

use core::ffi::{c_char, c_void, CStr};
use core::ptr;

use crate::{report_bad_pointer, Heap, Resize};

/// `struct uk_alloc_stats` (ukalloc's `include/uk/alloc.h`).
#[repr(C)]
pub(crate) struct AllocStats {
    total_bytes: usize,
    used_bytes: usize,
    free_bytes: usize,
    peak_used_bytes: usize,
    alloc_count: usize,
    free_count: usize,
    failed_count: usize,
}

/// `struct uk_alloc_ops` (ukalloc's `include/uk/alloc.h`).
#[repr(C)]
pub(crate) struct AllocOps {
    name: *const c_char,
    malloc: unsafe extern "C" fn(usize) -> *mut c_void,
    memalign: unsafe extern "C" fn(usize, usize) -> *mut c_void,
    pub(crate) realloc: Option<unsafe extern "C" fn(*mut c_void, usize) -> *mut c_void>,
    free: unsafe extern "C" fn(*mut c_void),
    usable_size: unsafe extern "C" fn(*const c_void) -> usize,
    stats: unsafe extern "C" fn(*mut AllocStats),
}

/// The table for `H`, without `realloc`.
pub(crate) const fn table<H: Heap>(name: &'static CStr) -> AllocOps {
    AllocOps {
        name: name.as_ptr(),
        malloc: malloc::<H>,
        memalign: memalign::<H>,
        realloc: None,
        free: free::<H>,
        usable_size: usable_size::<H>,
        stats: stats::<H>,
    }
}

extern "C" fn malloc<H: Heap>(size: usize) -> *mut c_void {
    memalign::<H>(16, size)
}

extern "C" fn memalign<H: Heap>(align: usize, size: usize) -> *mut c_void {
    H::glue()
        .lock()
        .allocate(size, align)
        .map_or(ptr::null_mut(), |block| block.cast())
}

pub(crate) unsafe extern "C" fn realloc<H: Resize>(block: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: ukalloc passes a live, non-null block.
    match unsafe { H::glue().lock().resize(block.cast(), size) } {
        Ok(Some(resized)) => resized.cast(),
        Ok(None) => ptr::null_mut(),
        Err(_) => {
            report_bad_pointer(H::LIBRARY, "realloc");
            ptr::null_mut()
        }
    }
}

unsafe extern "C" fn free<H: Heap>(block: *mut c_void) {
    // SAFETY: ukalloc passes a non-null block that the caller no longer uses.
    if unsafe { H::glue().lock().deallocate(block.cast()) }.is_err() {
        report_bad_pointer(H::LIBRARY, "free");
    }
}

extern "C" fn usable_size<H: Heap>(block: *const c_void) -> usize {
    H::glue().lock().usable_size(block.cast()).unwrap_or(0)
}

unsafe extern "C" fn stats<H: Heap>(out: *mut AllocStats) {
    let stats = H::glue().lock().stats();
    // SAFETY: ukalloc passes a valid, writable `struct uk_alloc_stats`.
    unsafe {
        out.write(AllocStats {
            total_bytes: stats.total_bytes,
            used_bytes: stats.used_bytes,
            free_bytes: stats.total_bytes - stats.used_bytes,
            peak_used_bytes: stats.peak_used_bytes,
            alloc_count: stats.alloc_count,
            free_count: stats.free_count,
            failed_count: stats.failed_count,
        })
    };
}

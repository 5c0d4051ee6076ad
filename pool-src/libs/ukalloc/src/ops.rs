//! The C structures shared with implementations (`struct uk_alloc_ops`, `struct uk_alloc_stats`)
//! and the registration slot.

use core::ffi::{c_char, c_void};
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};

/// `struct uk_alloc_stats`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AllocStats {
    pub total_bytes: usize,
    pub used_bytes: usize,
    pub free_bytes: usize,
    pub peak_used_bytes: usize,
    pub alloc_count: usize,
    pub free_count: usize,
    pub failed_count: usize,
}

/// `struct uk_alloc_ops`.
#[repr(C)]
pub struct AllocOps {
    pub name: *const c_char,
    pub malloc: unsafe extern "C" fn(size: usize) -> *mut c_void,
    pub memalign: unsafe extern "C" fn(align: usize, size: usize) -> *mut c_void,
    pub realloc: Option<unsafe extern "C" fn(block: *mut c_void, size: usize) -> *mut c_void>,
    pub free: unsafe extern "C" fn(block: *mut c_void),
    pub usable_size: unsafe extern "C" fn(block: *const c_void) -> usize,
    pub stats: unsafe extern "C" fn(out: *mut AllocStats),
}

/// The registered implementation, null until `uk_alloc_register`.
static REGISTERED: AtomicPtr<AllocOps> = AtomicPtr::new(ptr::null_mut());

/// The registered operations, if any.
pub(crate) fn registered() -> Option<&'static AllocOps> {
    let ops = REGISTERED.load(Ordering::Acquire);
    // SAFETY: only `uk_alloc_register` stores here, and its contract requires a table that
    // stays valid and unchanged forever.
    unsafe { ops.as_ref() }
}

/// Installs an implementation; the last registration wins.
///
/// # Safety
///
/// `ops` must be null or point to a table that stays valid and unchanged forever, whose
/// function pointers honour the contracts of `include/uk/alloc.h`.
#[no_mangle]
pub unsafe extern "C" fn uk_alloc_register(ops: *const AllocOps) {
    REGISTERED.store(ops.cast_mut(), Ordering::Release);
}

//! The image side: one global heap behind a lock, offered to ukalloc as a `struct uk_alloc_ops`,
//! filled from the platform's memory regions by an init-table entry (prio 01, before anything
//! that allocates).

use core::ffi::{c_char, c_int, c_void};
use core::ptr;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::heap::{BuddyHeap, HeapError};
use spinlock::SpinLock;

/// `-ENOMEM`.
const ENOMEM: c_int = -12;
/// `-ENOSPC`.
const ENOSPC: c_int = -28;
/// `struct ukplat_memregion` flag: free RAM.
const MEMREGION_FREE: u32 = 1;

/// `struct ukplat_memregion` (see docs/pool-abi.md).
#[repr(C)]
#[derive(Default)]
struct MemRegion {
    base: u64,
    len: u64,
    flags: u32,
    _pad: u32,
}

/// `struct uk_alloc_stats` (ukalloc's `include/uk/alloc.h`).
#[repr(C)]
struct AllocStats {
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
struct AllocOps {
    name: *const c_char,
    malloc: unsafe extern "C" fn(usize) -> *mut c_void,
    memalign: unsafe extern "C" fn(usize, usize) -> *mut c_void,
    realloc: Option<unsafe extern "C" fn(*mut c_void, usize) -> *mut c_void>,
    free: unsafe extern "C" fn(*mut c_void),
    usable_size: unsafe extern "C" fn(*const c_void) -> usize,
    stats: unsafe extern "C" fn(*mut AllocStats),
}

/// Wrapper that lets the operations table live in a `static`.
#[repr(transparent)]
struct SharedOps(AllocOps);

// SAFETY: the table is immutable and its only pointer is to a string literal.
unsafe impl Sync for SharedOps {}

static OPS: SharedOps = SharedOps(AllocOps {
    name: c"buddy".as_ptr(),
    malloc: buddy_malloc,
    memalign: buddy_memalign,
    realloc: Some(buddy_realloc),
    free: buddy_free,
    usable_size: buddy_usable_size,
    stats: buddy_stats,
});

static HEAP: SpinLock<BuddyHeap> = SpinLock::new(BuddyHeap::new());
static INITIALIZED: AtomicBool = AtomicBool::new(false);

extern "C" {
    fn uk_alloc_register(ops: *const AllocOps);
    fn ukplat_memregion_count() -> c_int;
    fn ukplat_memregion_get(index: c_int, region: *mut MemRegion) -> c_int;
    fn ukplat_console_write(buf: *const u8, len: usize);
}

/// The boot library runs this entry before `main` (see docs/pool-abi.md, init table).
#[used]
#[link_section = ".uk_inittab.01"]
static INIT_ENTRY: extern "C" fn() -> c_int = uk_allocbuddy_init;

/// Takes every free RAM region the platform reports and registers with ukalloc. Idempotent.
#[no_mangle]
pub extern "C" fn uk_allocbuddy_init() -> c_int {
    if INITIALIZED.swap(true, Ordering::AcqRel) {
        return 0;
    }
    let mut heap = HEAP.lock();
    // SAFETY: plain platform query.
    let count = unsafe { ukplat_memregion_count() };
    for index in 0..count {
        let mut region = MemRegion::default();
        // SAFETY: `region` is a valid, writable `struct ukplat_memregion`.
        if unsafe { ukplat_memregion_get(index, &mut region) } != 0 {
            continue;
        }
        if region.flags & MEMREGION_FREE == 0 {
            continue;
        }
        // SAFETY: the platform reports this range as free RAM that nothing else uses; the
        // image runs identity-mapped, so physical addresses are usable pointers.
        // A region too small or beyond the zone limit is skipped: the others still serve.
        let _ = unsafe { heap.add_region(region.base as usize, region.len as usize) };
    }
    if heap.stats().total_bytes == 0 {
        INITIALIZED.store(false, Ordering::Release);
        return ENOMEM;
    }
    drop(heap);
    // SAFETY: `OPS` is a static table that honours ukalloc's contracts.
    unsafe { uk_alloc_register(&OPS.0) };
    0
}

/// Adds `[base, base + len)` to the heap and registers with ukalloc.
///
/// # Safety
///
/// The range must be writable memory that nothing else uses from now on and that does not
/// overlap a range the heap already has.
#[no_mangle]
pub unsafe extern "C" fn uk_allocbuddy_add_region(base: *mut c_void, len: usize) -> c_int {
    // SAFETY: the caller hands the range over.
    let added = unsafe { HEAP.lock().add_region(base as usize, len) };
    match added {
        Ok(()) => {
            // SAFETY: as in `uk_allocbuddy_init`.
            unsafe { uk_alloc_register(&OPS.0) };
            0
        }
        Err(HeapError::TooManyZones) => ENOSPC,
        Err(_) => ENOMEM,
    }
}

/// Reports a pointer that ukalloc handed us but that is not a live block.
fn report_bad_pointer(operation: &str) {
    let parts: [&str; 3] = [
        "allocbuddy: ",
        operation,
        " of a pointer that is not a live block (ignored)\n",
    ];
    for part in parts {
        // SAFETY: the pointer and length describe a live string slice.
        unsafe { ukplat_console_write(part.as_ptr(), part.len()) };
    }
}

extern "C" fn buddy_malloc(size: usize) -> *mut c_void {
    buddy_memalign(16, size)
}

extern "C" fn buddy_memalign(align: usize, size: usize) -> *mut c_void {
    HEAP.lock()
        .allocate(size, align)
        .map_or(ptr::null_mut(), |block| block.cast())
}

unsafe extern "C" fn buddy_realloc(block: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: ukalloc passes a live, non-null block.
    match unsafe { HEAP.lock().resize(block.cast(), size) } {
        Ok(Some(resized)) => resized.cast(),
        Ok(None) => ptr::null_mut(),
        Err(_) => {
            report_bad_pointer("realloc");
            ptr::null_mut()
        }
    }
}

unsafe extern "C" fn buddy_free(block: *mut c_void) {
    // SAFETY: ukalloc passes a non-null block that the caller no longer uses.
    if unsafe { HEAP.lock().deallocate(block.cast()) }.is_err() {
        report_bad_pointer("free");
    }
}

extern "C" fn buddy_usable_size(block: *const c_void) -> usize {
    HEAP.lock().usable_size(block.cast()).unwrap_or(0)
}

unsafe extern "C" fn buddy_stats(out: *mut AllocStats) {
    let stats = HEAP.lock().stats();
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

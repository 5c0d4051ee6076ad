//! The image side: the region heap behind allocglue's global, offered to ukalloc as "region",
//! filled from the platform's memory regions (up to the `allocregion.limit` option) by an
//! init-table entry (prio 01, before anything that allocates).

use core::ffi::{c_int, c_void};
use core::ptr;

use crate::region::{RegionError, RegionHeap};
use allocglue::Glue;

/// No `realloc`: ukalloc moves with malloc + copy + free, which is all a bump allocator could
/// do anyway.
static GLUE: Glue<RegionHeap> = Glue::new(RegionHeap::new(), c"region");

allocglue::impl_heap!(
    RegionHeap,
    RegionError,
    full: RegionError::TooManyRegions,
    library: "allocregion",
    glue: GLUE
);

extern "C" {
    /// Link-time option `allocregion.limit` (see `c/options.c`).
    static uk_opt_allocregion_limit: u64;
}

/// The boot library runs this entry before `main` (see docs/pool-abi.md, init table).
#[used]
#[link_section = ".uk_inittab.01"]
static INIT_ENTRY: extern "C" fn() -> c_int = uk_allocregion_init;

/// Takes free RAM regions the platform reports, up to the limit in total, and registers with
/// ukalloc. Idempotent.
#[no_mangle]
pub extern "C" fn uk_allocregion_init() -> c_int {
    // SAFETY: the symbol is an initialized u64 (the link's value or the weak default); a
    // volatile read keeps the compiler from assuming either.
    let limit = unsafe { ptr::read_volatile(&raw const uk_opt_allocregion_limit) } as usize;
    let mut budget = if limit == 0 { usize::MAX } else { limit };
    GLUE.init(|heap, base, len| {
        if budget == 0 {
            return;
        }
        let len = len.min(budget);
        // SAFETY: `init` passes only free RAM that nothing else uses. A region that is too
        // small (or one too many) is skipped: the others still serve.
        if unsafe { heap.add_region(base, len) }.is_ok() {
            budget -= len;
        }
    })
}

/// Adds `[base, base + len)` to the heap and registers with ukalloc.
///
/// # Safety
///
/// The range must be writable memory that nothing else uses from now on and that does not
/// overlap a range the heap already has.
#[no_mangle]
pub unsafe extern "C" fn uk_allocregion_add_region(base: *mut c_void, len: usize) -> c_int {
    // SAFETY: the caller hands the range over.
    unsafe { GLUE.add_region(base, len) }
}

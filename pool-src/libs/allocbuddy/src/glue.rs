//! The image side: the buddy heap behind allocglue's global, offered to ukalloc as "buddy" with
//! its own `realloc`, filled from the platform's memory regions by an init-table entry (prio 01,
//! before anything that allocates).

use core::ffi::{c_int, c_void};

use crate::heap::{BuddyHeap, HeapError};
use allocglue::{Glue, Resize};

static GLUE: Glue<BuddyHeap> = Glue::new(BuddyHeap::new(), c"buddy").with_realloc();

/// The boot library runs this entry before `main` (see docs/pool-abi.md, init table).
#[used]
#[link_section = ".uk_inittab.01"]
static INIT_ENTRY: extern "C" fn() -> c_int = uk_allocbuddy_init;

/// Takes every free RAM region the platform reports and registers with ukalloc. Idempotent.
#[no_mangle]
pub extern "C" fn uk_allocbuddy_init() -> c_int {
    GLUE.init(|heap, base, len| {
        // SAFETY: `init` passes only free RAM that nothing else uses. A region too small or
        // beyond the zone limit is skipped: the others still serve.
        let _ = unsafe { heap.add_region(base, len) };
    })
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
    unsafe { GLUE.add_region(base, len) }
}

allocglue::impl_heap!(
    BuddyHeap,
    HeapError,
    full: HeapError::TooManyZones,
    library: "allocbuddy",
    glue: GLUE
);

impl Resize for BuddyHeap {
    unsafe fn resize(&mut self, block: *mut u8, size: usize) -> Result<Option<*mut u8>, HeapError> {
        // SAFETY: the trait's contract is the method's.
        unsafe { BuddyHeap::resize(self, block, size) }
    }
}

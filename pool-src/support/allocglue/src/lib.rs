//! The ukalloc side of an allocator library (a support crate, not a pool library: every
//! allocator that uses it gets a private copy): one global heap behind a lock, offered to ukalloc
//! as a `struct uk_alloc_ops`, filled from the platform's free memory regions.
//!
//! An allocator implements [`Heap`] for its core and keeps only its specifics: its exported
//! names, its init-table entry, and which regions it takes. Everything here that touches the
//! platform or ukalloc is generic, so it is only instantiated in the image-side glue and the
//! cores stay testable on the host.

#![no_std]

mod ops;

use core::ffi::{c_int, c_void, CStr};
use core::sync::atomic::{AtomicBool, Ordering};

use ops::AllocOps;
use spinlock::{SpinGuard, SpinLock};

/// `-ENOMEM`.
const ENOMEM: c_int = -12;
/// `-ENOSPC`.
const ENOSPC: c_int = -28;
/// `struct ukplat_memregion` flag: free RAM.
const MEMREGION_FREE: u32 = 1;

/// Counters, as `struct uk_alloc_stats` reports them (free bytes are derived).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeapStats {
    pub total_bytes: usize,
    pub used_bytes: usize,
    pub peak_used_bytes: usize,
    pub alloc_count: usize,
    pub free_count: usize,
    pub failed_count: usize,
}

/// What the glue needs from an allocator's core.
pub trait Heap: Send + Sized + 'static {
    /// Why an operation was refused.
    type Error: Copy + PartialEq;
    /// The error `add_region` gives when the heap has no slot for another range: reported as
    /// `-ENOSPC`, every other refusal as `-ENOMEM`.
    const FULL: Self::Error;
    /// The library's name, for messages.
    const LIBRARY: &'static str;

    /// The allocator's one global instance.
    fn glue() -> &'static Glue<Self>;

    /// Takes `[base, base + len)` over.
    ///
    /// # Safety
    ///
    /// The range must be writable memory that nothing else uses from now on and that does not
    /// overlap a range the heap already has.
    unsafe fn add_region(&mut self, base: usize, len: usize) -> Result<(), Self::Error>;

    fn allocate(&mut self, size: usize, align: usize) -> Option<*mut u8>;

    /// # Safety
    ///
    /// If `block` is a live block of this heap, the caller no longer uses it.
    unsafe fn deallocate(&mut self, block: *mut u8) -> Result<(), Self::Error>;

    fn usable_size(&self, block: *const u8) -> Result<usize, Self::Error>;

    fn stats(&self) -> HeapStats;
}

/// A heap that can grow or shrink a block, so ukalloc's `realloc` need not always copy.
pub trait Resize: Heap {
    /// `Ok(None)` when there is no room for the new size (the block stays as it was).
    ///
    /// # Safety
    ///
    /// `block` must be a live block of this heap; on a move the old address becomes invalid.
    unsafe fn resize(
        &mut self,
        block: *mut u8,
        size: usize,
    ) -> Result<Option<*mut u8>, Self::Error>;
}

/// A global heap, its operations table and whether it was initialized.
pub struct Glue<H> {
    heap: SpinLock<H>,
    initialized: AtomicBool,
    ops: AllocOps,
}

// SAFETY: the heap is only reached through its lock (`H: Send` lets it move between contexts),
// the flag is atomic, and the operations table is immutable with its only pointer to a string
// literal.
unsafe impl<H: Send> Sync for Glue<H> {}

extern "C" {
    fn uk_alloc_register(ops: *const AllocOps);
    fn ukplat_memregion_count() -> c_int;
    fn ukplat_memregion_get(index: c_int, region: *mut MemRegion) -> c_int;
    fn ukplat_console_write(buf: *const u8, len: usize);
}

/// `struct ukplat_memregion` (see docs/pool-abi.md).
#[repr(C)]
#[derive(Default)]
struct MemRegion {
    base: u64,
    len: u64,
    flags: u32,
    _pad: u32,
}

impl<H: Heap> Glue<H> {
    /// A heap that ukalloc will know as `name`, without `realloc` (ukalloc then moves with
    /// malloc + copy + free).
    pub const fn new(heap: H, name: &'static CStr) -> Self {
        Glue {
            heap: SpinLock::new(heap),
            initialized: AtomicBool::new(false),
            ops: ops::table::<H>(name),
        }
    }

    /// The same, with the heap's own `realloc`.
    pub const fn with_realloc(mut self) -> Self
    where
        H: Resize,
    {
        self.ops.realloc = Some(ops::realloc::<H>);
        self
    }

    fn lock(&self) -> SpinGuard<'_, H> {
        self.heap.lock()
    }

    /// Offers every free RAM region the platform reports to `take` (which adds what it wants
    /// of it to the heap), then registers with ukalloc. Idempotent; `-ENOMEM` if the heap
    /// ends up empty.
    ///
    /// `take` gets only ranges the platform reports as free RAM that nothing else uses; the
    /// image runs identity-mapped, so physical addresses are usable pointers.
    pub fn init(&self, mut take: impl FnMut(&mut H, usize, usize)) -> c_int {
        if self.initialized.swap(true, Ordering::AcqRel) {
            return 0;
        }
        let mut heap = self.lock();
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
            take(&mut heap, region.base as usize, region.len as usize);
        }
        if heap.stats().total_bytes == 0 {
            self.initialized.store(false, Ordering::Release);
            return ENOMEM;
        }
        drop(heap);
        // SAFETY: the table is static and honours ukalloc's contracts.
        unsafe { uk_alloc_register(&self.ops) };
        0
    }

    /// Adds `[base, base + len)` to the heap and registers with ukalloc.
    ///
    /// # Safety
    ///
    /// As [`Heap::add_region`].
    pub unsafe fn add_region(&self, base: *mut c_void, len: usize) -> c_int {
        // SAFETY: the caller hands the range over.
        let added = unsafe { self.lock().add_region(base as usize, len) };
        match added {
            Ok(()) => {
                // SAFETY: as in `init`.
                unsafe { uk_alloc_register(&self.ops) };
                0
            }
            Err(error) if error == H::FULL => ENOSPC,
            Err(_) => ENOMEM,
        }
    }
}

/// Reports a pointer that ukalloc handed us but that is not a live block.
fn report_bad_pointer(library: &str, operation: &str) {
    let parts: [&str; 4] = [
        library,
        ": ",
        operation,
        " of a pointer that is not a live block (ignored)\n",
    ];
    for part in parts {
        // SAFETY: the pointer and length describe a live string slice.
        unsafe { ukplat_console_write(part.as_ptr(), part.len()) };
    }
}

/// Implements [`Heap`] for an allocator's core by calling its inherent methods of the same
/// names, so each allocator states only its specifics:
/// `impl_heap!(Core, Error, full: Error::Variant, library: "name", glue: STATIC);`
#[macro_export]
macro_rules! impl_heap {
    ($heap:ty, $error:ty, full: $full:expr, library: $library:literal, glue: $glue:ident) => {
        impl $crate::Heap for $heap {
            type Error = $error;
            const FULL: $error = $full;
            const LIBRARY: &'static str = $library;

            fn glue() -> &'static $crate::Glue<Self> {
                &$glue
            }

            unsafe fn add_region(&mut self, base: usize, len: usize) -> Result<(), $error> {
                // SAFETY: the trait's contract is the inherent method's.
                unsafe { <$heap>::add_region(self, base, len) }
            }

            fn allocate(&mut self, size: usize, align: usize) -> Option<*mut u8> {
                <$heap>::allocate(self, size, align)
            }

            unsafe fn deallocate(&mut self, block: *mut u8) -> Result<(), $error> {
                // SAFETY: the trait's contract is the inherent method's.
                unsafe { <$heap>::deallocate(self, block) }
            }

            fn usable_size(&self, block: *const u8) -> Result<usize, $error> {
                <$heap>::usable_size(self, block)
            }

            fn stats(&self) -> $crate::HeapStats {
                <$heap>::stats(self)
            }
        }
    };
}

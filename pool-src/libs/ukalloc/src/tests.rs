//! Host tests of the API layer over a mock implementation backed by `std::alloc`.

use core::ffi::c_void;
use std::alloc::{alloc, dealloc, Layout};
use std::ptr;
use std::sync::Mutex;

use crate::api::*;
use crate::ops::{uk_alloc_register, AllocOps, AllocStats};

/// The registration slot is global: tests that use it run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Each mock block starts with a 64-byte header holding its size, so blocks stay 64-aligned.
const HEADER: usize = 64;

unsafe extern "C" fn mock_memalign(align: usize, size: usize) -> *mut c_void {
    let align = align.max(HEADER);
    let layout = Layout::from_size_align(size + align, align).unwrap();
    // SAFETY: non-zero size; the header fits in front of the returned block.
    unsafe {
        let base = alloc(layout);
        let block = base.add(align);
        block.cast::<usize>().sub(1).write(size);
        block.cast::<usize>().sub(2).write(align);
        block.cast()
    }
}

unsafe extern "C" fn mock_malloc(size: usize) -> *mut c_void {
    // SAFETY: power-of-two alignment.
    unsafe { mock_memalign(16, size) }
}

unsafe extern "C" fn mock_free(block: *mut c_void) {
    // SAFETY: `block` came from `mock_memalign`, which wrote the header.
    unsafe {
        let size = block.cast::<usize>().sub(1).read();
        let align = block.cast::<usize>().sub(2).read();
        let layout = Layout::from_size_align(size + align, align).unwrap();
        dealloc(block.cast::<u8>().sub(align), layout);
    }
}

unsafe extern "C" fn mock_usable_size(block: *const c_void) -> usize {
    // SAFETY: `block` came from `mock_memalign`.
    unsafe { block.cast::<usize>().sub(1).read() }
}

unsafe extern "C" fn mock_stats(out: *mut AllocStats) {
    // SAFETY: ukalloc passes a writable struct.
    unsafe {
        out.write(AllocStats {
            total_bytes: 1000,
            ..AllocStats::default()
        })
    };
}

static MOCK: SyncOps = SyncOps(AllocOps {
    name: c"mock".as_ptr(),
    malloc: mock_malloc,
    memalign: mock_memalign,
    realloc: None,
    free: mock_free,
    usable_size: mock_usable_size,
    stats: mock_stats,
});

struct SyncOps(AllocOps);
// SAFETY: immutable table of functions and a string literal.
unsafe impl Sync for SyncOps {}

#[test]
fn without_an_allocator_everything_fails_gracefully() {
    let _serial = SERIAL.lock().unwrap();
    // SAFETY: null unregisters; the calls below must cope with no allocator.
    unsafe {
        uk_alloc_register(ptr::null());
        assert!(uk_malloc(10).is_null());
        assert!(uk_calloc(1, 10).is_null());
        assert!(uk_realloc(ptr::null_mut(), 10).is_null());
        uk_free(ptr::null_mut());
        let mut stats = AllocStats {
            total_bytes: 5,
            ..AllocStats::default()
        };
        uk_alloc_stats(&mut stats);
        assert_eq!(stats, AllocStats::default());
    }
}

#[test]
fn api_checks_and_fallbacks() {
    let _serial = SERIAL.lock().unwrap();
    // SAFETY: every block is used within its size and freed once.
    unsafe {
        uk_alloc_register(&MOCK.0);

        let zeroed = uk_calloc(10, 10).cast::<u8>();
        assert!(!zeroed.is_null());
        assert!(std::slice::from_raw_parts(zeroed, 100)
            .iter()
            .all(|&b| b == 0));
        assert!(uk_calloc(usize::MAX, 2).is_null(), "overflow must fail");

        assert!(
            uk_memalign(3, 10).is_null(),
            "alignment must be a power of two"
        );
        let aligned = uk_memalign(4096, 10);
        assert_eq!(aligned as usize % 4096, 0);
        uk_free(aligned);

        // realloc without an implementation-provided realloc: move and copy.
        (0..100).for_each(|i| zeroed.add(i).write(i as u8));
        let grown = uk_realloc(zeroed.cast(), 1000).cast::<u8>();
        assert_eq!(uk_malloc_usable_size(grown.cast()), 1000);
        assert!((0..100).all(|i| grown.add(i).read() == i as u8));
        assert!(uk_realloc(grown.cast(), 0).is_null(), "realloc to 0 frees");

        let fresh = uk_realloc(ptr::null_mut(), 8);
        assert!(!fresh.is_null());
        uk_free(fresh);
        assert_eq!(uk_malloc_usable_size(ptr::null()), 0);

        let mut stats = AllocStats::default();
        uk_alloc_stats(&mut stats);
        assert_eq!(stats.total_bytes, 1000);
        uk_alloc_register(ptr::null());
    }
}

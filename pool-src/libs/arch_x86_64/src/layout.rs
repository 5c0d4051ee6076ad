//! The image's permissions in the page tables, set once at boot from its segments: code is
//! read+execute, read-only data is read-only and not executable, everything else (data, bss,
//! the heap, stacks, device memory) read-write and not executable. Then, once the platform has
//! taken what it needs from the boot structures, the lowest 64 KiB are unmapped so that a
//! null-pointer access faults.
//!
//! The link scripts (`linkscripts/kvm.ld`, `xen.ld`) start each segment on a 4 KiB boundary
//! and name the boundaries: `__uk_image_start` (headers and code), `__uk_rodata_start`,
//! `__uk_data_start`, `__uk_image_end`. A 2 MiB page that holds pages of different
//! permissions is split into 4 KiB pages with one of [`BOOT_TABLES`]; the others stay large.
//!
//! CR0.WP makes read-only pages read-only for ring 0 too (the unikernel runs there), and
//! EFER.NXE enables the no-execute bit.

use crate::paging::{self, DATA, LARGE_PAGE, NULL_MARKER, PAGE};
use core::ptr::{addr_of, addr_of_mut};
use x86_64::instructions::tlb;
use x86_64::registers::control::{Cr0, Cr0Flags};
use x86_64::registers::model_specific::{Efer, EferFlags};
use x86_64::structures::paging::{PageTable, PageTableFlags as Flags};
use x86_64::PhysAddr;

/// Bytes left unmapped at address 0 (Linux's default `vm.mmap_min_addr`): a null pointer plus
/// any offset below 64 KiB (a field of a large structure, an array index) faults.
pub const NULL_GUARD_BYTES: u64 = 64 * 1024;

/// Page tables for splits at boot: the first 2 MiB (low memory and the image's start), one per
/// segment boundary (code/read-only data, read-only data/data, the image's end) and the boot
/// stack's guard page, with one to spare.
const BOOT_TABLE_COUNT: usize = 6;
static mut BOOT_TABLES: [PageTable; BOOT_TABLE_COUNT] =
    [const { PageTable::new() }; BOOT_TABLE_COUNT];
static mut BOOT_TABLES_USED: usize = 0;

extern "C" {
    static __uk_image_start: u8;
    static __uk_rodata_start: u8;
    static __uk_data_start: u8;
    static __uk_image_end: u8;
}

/// The image's segment boundaries, from the link script.
#[derive(Clone, Copy)]
pub struct Segments {
    pub image_start: u64,
    pub rodata_start: u64,
    pub data_start: u64,
    pub image_end: u64,
}

pub fn segments() -> Segments {
    Segments {
        image_start: addr_of!(__uk_image_start) as u64,
        rodata_start: addr_of!(__uk_rodata_start) as u64,
        data_start: addr_of!(__uk_data_start) as u64,
        image_end: addr_of!(__uk_image_end) as u64,
    }
}

impl Segments {
    /// True if the boundaries are in order and on pages, as the ukl link scripts put them.
    fn are_ordered(&self) -> bool {
        let on_pages = [self.rodata_start, self.data_start]
            .iter()
            .all(|boundary| boundary.is_multiple_of(PAGE));
        on_pages
            && self.image_start <= self.rodata_start
            && self.rodata_start <= self.data_start
            && self.data_start <= self.image_end
    }
}

/// The final flags of the 4 KiB page at `page` as the image's layout wants them. An image
/// whose boundaries are out of order (a link script other than ukl's) keeps its pages
/// readable, writable and executable: nothing could say which are code.
fn flags_for(segments: &Segments, page: u64) -> Flags {
    let in_image =
        (segments.image_start..segments.image_end.next_multiple_of(PAGE)).contains(&page);
    if !segments.are_ordered() && in_image {
        return Flags::PRESENT | Flags::WRITABLE;
    }
    if page < segments.image_start || page >= segments.data_start {
        DATA
    } else if page < segments.rodata_start {
        Flags::PRESENT
    } else {
        Flags::PRESENT | Flags::NO_EXECUTE
    }
}

/// A page table from the boot pool, or None when all are used.
fn boot_table() -> Option<*mut PageTable> {
    // SAFETY: single-threaded boot code alone takes tables from the pool.
    unsafe {
        let used = addr_of_mut!(BOOT_TABLES_USED);
        if *used == BOOT_TABLE_COUNT {
            return None;
        }
        let table = (addr_of_mut!(BOOT_TABLES) as *mut PageTable).add(*used);
        *used += 1;
        Some(table)
    }
}

/// Splits the 2 MiB page holding `address` with a boot table if it is still large. False if
/// it is unmapped or no table is left.
///
/// # Safety
/// Single-threaded boot.
unsafe fn split_at_boot(address: u64) -> bool {
    let Some(entry) = paging::directory_entry(address) else {
        return false;
    };
    // SAFETY: a valid entry pointer.
    if !unsafe { (*entry).flags() }.contains(Flags::HUGE_PAGE) {
        return true;
    }
    let Some(table) = boot_table() else {
        return false;
    };
    // SAFETY: the caller's promise; the table is fresh and the split keeps the mapping.
    unsafe { paging::split(entry, table) };
    true
}

/// Gives the first 4 GiB their final permissions (see the module comment) and unmaps the boot
/// stack's guard page.
///
/// # Safety
/// Called once, at boot, on the boot CPU, with the 32-bit entry's tables loaded.
pub unsafe fn protect_image(boot_stack_guard: u64) {
    let segments = segments();
    // SAFETY: setting EFER.NXE before any entry carries the no-execute bit (it is a reserved
    // bit otherwise); the running code keeps all the access it has.
    unsafe { Efer::update(|flags| flags.insert(EferFlags::NO_EXECUTE_ENABLE)) };
    let image_regions_end = segments.image_end.next_multiple_of(LARGE_PAGE);
    for region in (0..paging::BOOT_MAPPED_GIB * paging::GIB).step_by(LARGE_PAGE as usize) {
        let Some(entry) = paging::directory_entry(region) else {
            continue;
        };
        let first = flags_for(&segments, region);
        let uniform = region >= image_regions_end
            || (region..region + LARGE_PAGE)
                .step_by(PAGE as usize)
                .all(|page| flags_for(&segments, page) == first);
        if uniform {
            // SAFETY: the entry maps the region as before, with the layout's permissions.
            unsafe { (*entry).set_addr(PhysAddr::new(region), first | Flags::HUGE_PAGE) };
            continue;
        }
        // SAFETY: single-threaded boot.
        if !unsafe { split_at_boot(region) } {
            // Out of boot tables: the region keeps the permissive mapping of the 32-bit entry.
            continue;
        }
        for page in (region..region + LARGE_PAGE).step_by(PAGE as usize) {
            // SAFETY: the region was just split; the flags are the layout's.
            unsafe { paging::set_page(page, flags_for(&segments, page)) };
        }
    }
    // SAFETY: the guard page belongs to the boot stack and holds nothing.
    unsafe {
        if split_at_boot(boot_stack_guard) {
            paging::set_page(boot_stack_guard, paging::GUARD_MARKER);
        }
    }
    tlb::flush_all();
    // SAFETY: from here on ring 0 honours read-only pages; nothing writes the image's code or
    // read-only data.
    unsafe { Cr0::update(|flags| flags.insert(Cr0Flags::WRITE_PROTECT)) };
}

/// Size of the low memory that [`ukarch_null_guard_install`] unmaps at most (64 KiB): the
/// platform keeps it out of its free regions.
#[no_mangle]
pub extern "C" fn ukarch_null_guard_bytes() -> u64 {
    NULL_GUARD_BYTES
}

/// Unmaps `[0, end)`, with `end` rounded down to a page and capped at
/// [`ukarch_null_guard_bytes`], so that null-pointer accesses fault. The platform calls it
/// when it no longer needs what the loader put there, with `end` lowered to the first page it
/// still needs. Returns the end actually unmapped.
///
/// # Safety
/// Nothing may use the memory below the returned end afterwards.
#[no_mangle]
pub unsafe extern "C" fn ukarch_null_guard_install(end: u64) -> u64 {
    let end = end.min(NULL_GUARD_BYTES) & !(PAGE - 1);
    if end == 0 {
        return 0;
    }
    // SAFETY: boot-time and single-threaded (the platform calls it from its entry); the pages
    // below `end` are no longer used, the caller says.
    unsafe {
        if !split_at_boot(0) {
            return 0;
        }
        for page in (0..end).step_by(PAGE as usize) {
            paging::set_page(page, NULL_MARKER);
        }
    }
    end
}

/// True if `address` lies in the unmapped low memory.
pub fn is_null_guard(address: u64) -> bool {
    address < NULL_GUARD_BYTES
        && paging::leaf_flags(address)
            .is_some_and(|flags| !flags.contains(Flags::PRESENT) && flags.contains(NULL_MARKER))
}

/// True if `[start, end)` touches the low memory or the image, which page protection and
/// guard pages must leave alone.
pub fn overlaps_image(start: u64, end: u64) -> bool {
    let segments = segments();
    start < NULL_GUARD_BYTES || (start < segments.image_end && end > segments.image_start)
}

/// What part of memory `address` is in, for the crash report.
pub fn describe(address: u64) -> &'static str {
    let segments = segments();
    if address < NULL_GUARD_BYTES {
        "low memory"
    } else if address < segments.image_start || address >= segments.image_end {
        "outside the image: heap, stacks, mappings or devices"
    } else if address < segments.rodata_start {
        "the image's code"
    } else if address < segments.data_start {
        "the image's read-only data"
    } else {
        "the image's data"
    }
}

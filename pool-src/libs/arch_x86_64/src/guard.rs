//! Guard pages in the identity map: unmapped 4 KiB pages below stacks, so that an overflow
//! faults at once (and gets a crash report that says so) instead of overwriting a neighbour.
//!
//! RAM is identity-mapped with 2 MiB pages; guarding a page inside one splits it into a 4 KiB
//! page table (a page the caller provides, kept for good). A guard entry is not present and
//! carries a marker in a bit the CPU ignores, so the page-fault report can recognise it.

use crate::paging::{flush_tlb, BOOT_PDPT};
use core::ptr::addr_of;

const PRESENT: u64 = 1 << 0;
const LARGE: u64 = 1 << 7;
/// An "available to software" bit, set in the non-present entries of guard pages.
pub const GUARD_MARKER: u64 = 1 << 9;
const ADDRESS_MASK: u64 = 0x000f_ffff_ffff_f000;
/// Present, writable.
const TABLE_FLAGS: u64 = 0x3;
const PAGE_FLAGS: u64 = 0x3;
const PAGE: u64 = 4096;
const LARGE_PAGE: u64 = 2 << 20;
const GIB: u64 = 1 << 30;
const ENTRIES: u64 = 512;
const EINVAL: i32 = -22;
const ENOMEM: i32 = -12;
const EBUSY: i32 = -16;

extern "C" {
    fn ukarch_irq_save() -> u64;
    fn ukarch_irq_restore(flags: u64);
}

/// The page-directory entry that maps `address`, if its gigabyte is mapped.
fn directory_entry(address: u64) -> Option<*mut u64> {
    let gib = address / GIB;
    if gib >= ENTRIES {
        return None;
    }
    // SAFETY: reads one PDPT entry; the PDPT is a static table.
    let pdpt_entry = unsafe {
        (addr_of!(BOOT_PDPT.0) as *const u64)
            .add(gib as usize)
            .read_volatile()
    };
    if pdpt_entry & PRESENT == 0 {
        return None;
    }
    let directory = (pdpt_entry & ADDRESS_MASK) as *mut u64;
    // SAFETY: page directories are identity-mapped RAM; the index is below 512.
    Some(unsafe { directory.add(((address / LARGE_PAGE) % ENTRIES) as usize) })
}

/// The page-table entry that maps `address`, if its 2 MiB region is mapped with 4 KiB pages.
fn table_entry(address: u64) -> Option<*mut u64> {
    let directory_entry = directory_entry(address)?;
    // SAFETY: a valid entry pointer from `directory_entry`.
    let value = unsafe { directory_entry.read_volatile() };
    if value & PRESENT == 0 || value & LARGE != 0 {
        return None;
    }
    let table = (value & ADDRESS_MASK) as *mut u64;
    // SAFETY: page tables are identity-mapped RAM; the index is below 512.
    Some(unsafe { table.add(((address / PAGE) % ENTRIES) as usize) })
}

/// True if `address` lies in a guard page.
pub fn is_guard(address: u64) -> bool {
    table_entry(address).is_some_and(|entry| {
        // SAFETY: a valid entry pointer from `table_entry`.
        let value = unsafe { entry.read_volatile() };
        value & PRESENT == 0 && value & GUARD_MARKER != 0
    })
}

fn invalidate(address: u64) {
    // SAFETY: dropping a TLB entry has no other effect.
    unsafe { core::arch::asm!("invlpg [{}]", in(reg) address, options(nostack, preserves_flags)) };
}

/// Unmaps the identity-mapped 4 KiB page at `page` as a guard page. If its 2 MiB region is still
/// one large page, `spare_table` (a 4 KiB-aligned page of RAM, 0 if none) becomes its page table
/// and belongs to the architecture from then on. Returns 1 if the spare table was used, 0 if
/// not, -22 (EINVAL: unaligned or unmapped), -12 (ENOMEM: a table was needed but none given) or
/// -16 (EBUSY: already a guard page).
///
/// # Safety
/// Nothing may use the page until `ukarch_page_unguard`; `spare_table` is free RAM.
#[no_mangle]
pub unsafe extern "C" fn ukarch_page_guard(page: u64, spare_table: u64) -> i32 {
    if !page.is_multiple_of(PAGE) || !spare_table.is_multiple_of(PAGE) {
        return EINVAL;
    }
    let Some(directory_entry) = directory_entry(page) else {
        return EINVAL;
    };
    // SAFETY: interrupts are disabled while the tables change; a split maps the region exactly
    // as before, so everything in use stays mapped.
    unsafe {
        let flags = ukarch_irq_save();
        let mut used = 0;
        let value = directory_entry.read_volatile();
        if value & PRESENT == 0 {
            ukarch_irq_restore(flags);
            return EINVAL;
        }
        if value & LARGE != 0 {
            if spare_table == 0 {
                ukarch_irq_restore(flags);
                return ENOMEM;
            }
            let region = value & ADDRESS_MASK & !(LARGE_PAGE - 1);
            let table = spare_table as *mut u64;
            for entry in 0..ENTRIES {
                table
                    .add(entry as usize)
                    .write_volatile((region + entry * PAGE) | PAGE_FLAGS);
            }
            directory_entry.write_volatile(spare_table | TABLE_FLAGS);
            flush_tlb();
            used = 1;
        }
        let status = match table_entry(page) {
            Some(entry) if entry.read_volatile() & PRESENT != 0 => {
                entry.write_volatile(page | GUARD_MARKER);
                invalidate(page);
                used
            }
            Some(_) => EBUSY,
            None => EINVAL,
        };
        ukarch_irq_restore(flags);
        status
    }
}

/// Maps a guard page again. Returns 0, or -22 (EINVAL) if `page` is not a guard page.
///
/// # Safety
/// `page` was guarded with [`ukarch_page_guard`].
#[no_mangle]
pub unsafe extern "C" fn ukarch_page_unguard(page: u64) -> i32 {
    if !page.is_multiple_of(PAGE) || !is_guard(page) {
        return EINVAL;
    }
    match table_entry(page) {
        Some(entry) => {
            // SAFETY: restores the identity mapping of this page.
            unsafe { entry.write_volatile(page | PAGE_FLAGS) };
            invalidate(page);
            0
        }
        None => EINVAL,
    }
}

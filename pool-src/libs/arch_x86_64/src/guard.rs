//! Guard pages in the identity map: unmapped 4 KiB pages below stacks, so that an overflow
//! faults at once (and gets a crash report that says so) instead of overwriting a neighbour.
//!
//! RAM is identity-mapped with 2 MiB pages; guarding a page inside one splits it into a 4 KiB
//! page table (a page the caller provides, kept for good). A guard entry is not present and
//! carries [`GUARD_MARKER`] in a bit the CPU ignores, so the page-fault report can recognise it.

use crate::paging::{self, DATA, GUARD_MARKER, PAGE};
use x86_64::structures::paging::{PageTable, PageTableFlags as Flags};

const EINVAL: i32 = -22;
const ENOMEM: i32 = -12;
const EBUSY: i32 = -16;

extern "C" {
    fn ukarch_irq_save() -> u64;
    fn ukarch_irq_restore(flags: u64);
}

/// True if `address` lies in a guard page.
pub fn is_guard(address: u64) -> bool {
    paging::leaf_flags(address)
        .is_some_and(|flags| !flags.contains(Flags::PRESENT) && flags.contains(GUARD_MARKER))
}

/// Unmaps the identity-mapped 4 KiB page at `page` as a guard page. If its 2 MiB region is still
/// one large page, `spare_table` (a 4 KiB-aligned page of RAM, 0 if none) becomes its page table
/// and belongs to the architecture from then on. Returns 1 if the spare table was used, 0 if
/// not, -22 (EINVAL: unaligned, unmapped or inside the image), -12 (ENOMEM: a table was needed
/// but none given) or -16 (EBUSY: not an ordinary read-write page, e.g. already a guard page).
///
/// # Safety
/// Nothing may use the page until `ukarch_page_unguard`; `spare_table` is free RAM.
#[no_mangle]
pub unsafe extern "C" fn ukarch_page_guard(page: u64, spare_table: u64) -> i32 {
    if !page.is_multiple_of(PAGE)
        || !spare_table.is_multiple_of(PAGE)
        || crate::layout::overlaps_image(page, page + PAGE)
    {
        return EINVAL;
    }
    let Some(directory_entry) = paging::directory_entry(page) else {
        return EINVAL;
    };
    // SAFETY: interrupts are disabled while the tables change; a split maps the region exactly
    // as before, so everything in use stays mapped.
    unsafe {
        let flags = ukarch_irq_save();
        let mut used = 0;
        let large = (*directory_entry).flags();
        if !large.contains(Flags::PRESENT) && !large.contains(Flags::HUGE_PAGE) {
            ukarch_irq_restore(flags);
            return EINVAL;
        }
        if large.contains(Flags::HUGE_PAGE) {
            if spare_table == 0 {
                ukarch_irq_restore(flags);
                return ENOMEM;
            }
            paging::split(directory_entry, spare_table as *mut PageTable);
            used = 1;
        }
        let status = match paging::leaf_flags(page) {
            // The CPU's accessed and dirty bits do not matter.
            Some(current) if current - Flags::ACCESSED - Flags::DIRTY == DATA => {
                paging::set_page(page, GUARD_MARKER);
                used
            }
            Some(_) => EBUSY,
            None => EINVAL,
        };
        ukarch_irq_restore(flags);
        status
    }
}

/// Maps a guard page again (read-write, not executable). Returns 0, or -22 (EINVAL) if `page`
/// is not a guard page.
///
/// # Safety
/// `page` was guarded with [`ukarch_page_guard`].
#[no_mangle]
pub unsafe extern "C" fn ukarch_page_unguard(page: u64) -> i32 {
    if !page.is_multiple_of(PAGE) || !is_guard(page) {
        return EINVAL;
    }
    // SAFETY: restores the identity mapping of this page as ordinary data.
    if unsafe { paging::set_page(page, DATA) } {
        0
    } else {
        EINVAL
    }
}

//! Page protection on request (`mmap`, `mprotect`): `PROT_READ`, `PROT_WRITE` and `PROT_EXEC`
//! (Linux's values) of identity-mapped RAM outside the image, in 4 KiB pages.
//!
//! `PROT_NONE` makes pages not present (marked [`NO_ACCESS_MARKER`] for the crash report);
//! `PROT_WRITE` implies read, as on x86 Linux; without `PROT_EXEC` a page is no-execute. A 2
//! MiB page wholly inside the range changes as a whole; one that the range covers in part is
//! split into 4 KiB pages with a page table the caller hands over (at most two per call: the
//! first and the last 2 MiB page of the range).

use crate::paging::{self, LARGE_PAGE, NO_ACCESS_MARKER, PAGE};
use x86_64::instructions::tlb;
use x86_64::structures::paging::{PageTable, PageTableFlags as Flags};
use x86_64::{PhysAddr, VirtAddr};

const PROT_READ: i32 = 1;
const PROT_WRITE: i32 = 2;
const PROT_EXEC: i32 = 4;
const EINVAL: i32 = -22;
const ENOMEM: i32 = -12;
/// Beyond this many pages one CR3 reload is cheaper than one `invlpg` per page.
const FLUSH_ALL_PAGES: u64 = 64;

extern "C" {
    fn ukarch_irq_save() -> u64;
    fn ukarch_irq_restore(flags: u64);
}

/// The entry flags for `prot`, or None for bits beyond READ|WRITE|EXEC.
fn flags_for(prot: i32) -> Option<Flags> {
    if prot & !(PROT_READ | PROT_WRITE | PROT_EXEC) != 0 {
        return None;
    }
    if prot == 0 {
        return Some(NO_ACCESS_MARKER);
    }
    let mut flags = Flags::PRESENT;
    if prot & PROT_WRITE != 0 {
        flags |= Flags::WRITABLE;
    }
    if prot & PROT_EXEC == 0 {
        flags |= Flags::NO_EXECUTE;
    }
    Some(flags)
}

fn prot_of(flags: Flags) -> i32 {
    if !flags.contains(Flags::PRESENT) {
        return 0;
    }
    let mut prot = PROT_READ;
    if flags.contains(Flags::WRITABLE) {
        prot |= PROT_WRITE;
    }
    if !flags.contains(Flags::NO_EXECUTE) {
        prot |= PROT_EXEC;
    }
    prot
}

/// True if the 2 MiB page holding `address` is mapped and still large.
fn is_large(address: u64) -> bool {
    paging::directory_entry(address).is_some_and(|entry| {
        // SAFETY: a valid entry pointer.
        unsafe { (*entry).flags() }.contains(Flags::HUGE_PAGE)
    })
}

/// Sets the protection of `[address, address + len)` (page-aligned, in RAM outside the image
/// and the low memory)
/// to `prot` (`PROT_READ` 1 | `PROT_WRITE` 2 | `PROT_EXEC` 4, or 0 for no access). `spares`
/// points to two slots, each 0 or the address of a free, 4 KiB-aligned page: a slot whose page
/// became a page table (the architecture's for good) is set to 0. Returns 0, -22 (EINVAL: bad
/// alignment, length, bits or range) or -12 (ENOMEM: a split needed a table that was not
/// given; nothing was changed).
///
/// # Safety
/// The range must be memory the caller owns; `spares` is NULL or points to two writable
/// slots whose non-zero pages are free RAM.
#[no_mangle]
pub unsafe extern "C" fn ukarch_page_protect(
    address: u64,
    len: u64,
    prot: i32,
    spares: *mut u64,
) -> i32 {
    let Some(flags) = flags_for(prot) else {
        return EINVAL;
    };
    let Some(end) = address.checked_add(len) else {
        return EINVAL;
    };
    if len == 0
        || !address.is_multiple_of(PAGE)
        || !len.is_multiple_of(PAGE)
        || crate::layout::overlaps_image(address, end)
    {
        return EINVAL;
    }
    // Every 2 MiB page of the range must be mapped; count the splits needed.
    let mut splits = [0u64; 2];
    let mut needed = 0;
    let mut region = address & !(LARGE_PAGE - 1);
    while region < end {
        if paging::directory_entry(region).is_none() {
            return EINVAL;
        }
        let whole = region >= address && region + LARGE_PAGE <= end;
        if !whole && is_large(region) {
            splits[needed] = region;
            needed += 1;
        }
        region += LARGE_PAGE;
    }
    let mut slots: [*mut u64; 2] = [core::ptr::null_mut(); 2];
    let mut available = 0;
    if !spares.is_null() {
        for index in 0..2 {
            // SAFETY: the caller passes two readable slots.
            let slot = unsafe { spares.add(index) };
            // SAFETY: as above.
            let page = unsafe { slot.read() };
            if page != 0 && page.is_multiple_of(PAGE) {
                slots[available] = slot;
                available += 1;
            }
        }
    }
    if available < needed {
        return ENOMEM;
    }
    // SAFETY: interrupts are disabled while the tables change; the splits keep every mapping
    // and the new flags apply to the caller's own range only.
    unsafe {
        let irq = ukarch_irq_save();
        for (index, &region) in splits[..needed].iter().enumerate() {
            let table = slots[index].read() as *mut PageTable;
            slots[index].write(0);
            if let Some(entry) = paging::directory_entry(region) {
                paging::split(entry, table);
            }
        }
        let mut page = address;
        while page < end {
            let whole_region = page.is_multiple_of(LARGE_PAGE) && page + LARGE_PAGE <= end;
            if whole_region && is_large(page) {
                if let Some(entry) = paging::directory_entry(page) {
                    (*entry).set_addr(PhysAddr::new(page), flags | Flags::HUGE_PAGE);
                }
                page += LARGE_PAGE;
                continue;
            }
            if let Some(entry) = paging::table_entry(page) {
                (*entry).set_addr(PhysAddr::new(page), flags);
            }
            if len / PAGE <= FLUSH_ALL_PAGES {
                tlb::flush(VirtAddr::new(page));
            }
            page += PAGE;
        }
        // A whole 2 MiB page changes only in ranges of more than FLUSH_ALL_PAGES pages.
        if len / PAGE > FLUSH_ALL_PAGES || needed > 0 {
            tlb::flush_all();
        }
        ukarch_irq_restore(irq);
    }
    0
}

/// The protection of the page holding `address` (`PROT_*` bits, 0 for no access), or -22
/// (EINVAL) if it is not in the identity map.
#[no_mangle]
pub extern "C" fn ukarch_page_query(address: u64) -> i32 {
    match paging::leaf_flags(address) {
        Some(flags) => prot_of(flags),
        None => EINVAL,
    }
}

/// True if `address` lies in a `PROT_NONE` page.
pub fn is_no_access(address: u64) -> bool {
    paging::leaf_flags(address)
        .is_some_and(|flags| !flags.contains(Flags::PRESENT) && flags.contains(NO_ACCESS_MARKER))
}

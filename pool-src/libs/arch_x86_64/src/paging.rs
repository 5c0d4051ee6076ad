//! The identity map and its page-table walks: the first 4 GiB at boot, more on request from the
//! platform, and the split of a 2 MiB page into 4 KiB pages where permissions differ.
//!
//! The 32-bit entry fills one PML4 entry, four PDPT entries and 2048 2 MiB PD entries (see
//! `boot32.rs`), all writable and executable, so that 64-bit code can run at all. 2 MiB pages
//! are used because QEMU's default CPU models lack 1 GiB pages. [`crate::layout::protect_image`]
//! then gives every page its final permissions; a 2 MiB page whose 4 KiB pages need different
//! ones is split into a page table (a static one at boot, one the caller hands over later).
//!
//! Entries use the `x86_64` crate's `PageTable`, `PageTableEntry` and `PageTableFlags`. Three
//! bits the CPU ignores in a non-present entry say why it is not present (for the crash report):
//! [`GUARD_MARKER`] (a stack's guard page), [`NO_ACCESS_MARKER`] (`PROT_NONE`) and
//! [`NULL_MARKER`] (the unmapped low memory).

use core::ptr::{addr_of, addr_of_mut};
use x86_64::instructions::tlb;
use x86_64::structures::paging::page_table::PageTableEntry;
use x86_64::structures::paging::{PageTable, PageTableFlags as Flags};
use x86_64::{PhysAddr, VirtAddr};

/// Entries per table.
const ENTRIES: u64 = 512;
pub const GIB: u64 = 1 << 30;
pub const LARGE_PAGE: u64 = 2 << 20;
pub const PAGE: u64 = 4096;
/// Gigabytes mapped by the 32-bit entry.
pub const BOOT_MAPPED_GIB: u64 = 4;
/// One PDPT maps 512 GiB; the identity map does not go beyond it.
const MAX_MAPPED_GIB: u64 = ENTRIES;

/// A non-present entry of a stack's guard page.
pub const GUARD_MARKER: Flags = Flags::BIT_9;
/// A non-present entry of a `PROT_NONE` page.
pub const NO_ACCESS_MARKER: Flags = Flags::BIT_10;
/// A non-present entry of the unmapped low memory (null-pointer accesses).
pub const NULL_MARKER: Flags = Flags::BIT_11;

/// Flags of an entry that points to a lower-level table: everything allowed, so that the
/// lowest level alone decides.
pub const TABLE_FLAGS: Flags = Flags::PRESENT.union(Flags::WRITABLE);
/// Read-write data that cannot be executed (RAM outside the image's code and read-only data).
pub const DATA: Flags = Flags::PRESENT
    .union(Flags::WRITABLE)
    .union(Flags::NO_EXECUTE);

pub static mut BOOT_PML4: PageTable = PageTable::new();
pub static mut BOOT_PDPT: PageTable = PageTable::new();
pub static mut BOOT_PD: [PageTable; BOOT_MAPPED_GIB as usize] =
    [const { PageTable::new() }; BOOT_MAPPED_GIB as usize];

/// The page-directory entry that maps `address`, if its gigabyte is mapped.
pub fn directory_entry(address: u64) -> Option<*mut PageTableEntry> {
    let gib = address / GIB;
    if gib >= ENTRIES {
        return None;
    }
    // SAFETY: reads one PDPT entry of a static table.
    let pdpt_entry = unsafe { &(&*addr_of!(BOOT_PDPT))[gib as usize] };
    if !pdpt_entry.flags().contains(Flags::PRESENT) {
        return None;
    }
    let directory = pdpt_entry.addr().as_u64() as *mut PageTable;
    // SAFETY: page directories are identity-mapped RAM; the index is below 512.
    Some(unsafe { &mut (&mut *directory)[((address / LARGE_PAGE) % ENTRIES) as usize] as *mut _ })
}

/// The page-table entry that maps `address`, if its 2 MiB region is mapped with 4 KiB pages.
pub fn table_entry(address: u64) -> Option<*mut PageTableEntry> {
    let directory_entry = directory_entry(address)?;
    // SAFETY: a valid entry pointer from `directory_entry`.
    let entry = unsafe { &*directory_entry };
    if !entry.flags().contains(Flags::PRESENT) || entry.flags().contains(Flags::HUGE_PAGE) {
        return None;
    }
    let table = entry.addr().as_u64() as *mut PageTable;
    // SAFETY: page tables are identity-mapped RAM; the index is below 512.
    Some(unsafe { &mut (&mut *table)[((address / PAGE) % ENTRIES) as usize] as *mut _ })
}

/// The flags of the entry (2 MiB or 4 KiB) that finally maps `address`, or None when no
/// directory covers it.
pub fn leaf_flags(address: u64) -> Option<Flags> {
    if let Some(entry) = table_entry(address) {
        // SAFETY: a valid entry pointer.
        return Some(unsafe { (*entry).flags() });
    }
    // SAFETY: a valid entry pointer.
    directory_entry(address).map(|entry| unsafe { (*entry).flags() })
}

/// True if `address` can be read without a fault.
pub fn is_mapped(address: u64) -> bool {
    leaf_flags(address).is_some_and(|flags| flags.contains(Flags::PRESENT))
}

/// Replaces the 2 MiB page of `directory_entry` with the 4 KiB page table at `table` (4 KiB
/// aligned, free), each of its pages mapped as the large page was. A large page that is not
/// present (a `PROT_NONE` region) gives non-present 4 KiB pages with the same marker.
///
/// # Safety
/// `directory_entry` is a present-or-marked large entry; `table` is free memory that becomes
/// the architecture's for good. Interrupts are disabled.
pub unsafe fn split(directory_entry: *mut PageTableEntry, table: *mut PageTable) {
    // SAFETY: the caller's promises; the new table maps exactly what the large page mapped.
    unsafe {
        let large = &mut *directory_entry;
        let flags = large.flags() - Flags::HUGE_PAGE;
        let region = large.addr().as_u64() & !(LARGE_PAGE - 1);
        for (index, entry) in (*table).iter_mut().enumerate() {
            entry.set_addr(PhysAddr::new(region + index as u64 * PAGE), flags);
        }
        large.set_addr(PhysAddr::new(table as u64), TABLE_FLAGS);
        tlb::flush(VirtAddr::new(region));
    }
}

/// Sets the flags of the 4 KiB page at `page` (already split) and drops its TLB entry.
///
/// # Safety
/// Nothing in use may lose an access it needs.
pub unsafe fn set_page(page: u64, flags: Flags) -> bool {
    match table_entry(page) {
        Some(entry) => {
            // SAFETY: a valid entry pointer; the caller vouches for the new flags.
            unsafe { (*entry).set_addr(PhysAddr::new(page), flags) };
            tlb::flush(VirtAddr::new(page));
            true
        }
        None => false,
    }
}

/// Gigabytes needed to map `[0, end)`, capped at what one PDPT covers.
fn gib_needed(end: u64) -> u64 {
    end.div_ceil(GIB).min(MAX_MAPPED_GIB)
}

/// Bytes of page-table memory that [`ukarch_identity_map_extend`] needs to map `[0, end)`:
/// one 4 KiB page directory per GiB above the first four. Zero when the boot map suffices.
#[no_mangle]
pub extern "C" fn ukarch_identity_map_bytes(end: u64) -> u64 {
    gib_needed(end).saturating_sub(BOOT_MAPPED_GIB) * PAGE
}

/// Extends the identity map to cover `[0, end)` (at most 512 GiB, read-write, not executable)
/// with page directories written at `tables_phys`, which must be 4 KiB aligned, below 4 GiB
/// (already mapped), hold [`ukarch_identity_map_bytes`]`(end)` bytes, and stay reserved for as
/// long as the image runs. Returns 0, or -22 (EINVAL) if `tables_phys` is unaligned or not
/// below 4 GiB.
///
/// # Safety
/// `tables_phys` must be free RAM that nothing else uses; call once, before other CPUs run.
#[no_mangle]
pub unsafe extern "C" fn ukarch_identity_map_extend(end: u64, tables_phys: u64) -> i32 {
    let bytes = ukarch_identity_map_bytes(end);
    if bytes == 0 {
        return 0;
    }
    if !tables_phys.is_multiple_of(PAGE) || tables_phys + bytes > BOOT_MAPPED_GIB * GIB {
        return -22;
    }
    let tables = tables_phys as *mut PageTable;
    for gib in BOOT_MAPPED_GIB..gib_needed(end) {
        let index = (gib - BOOT_MAPPED_GIB) as usize;
        // SAFETY: the caller hands over `bytes` bytes at `tables_phys`, identity-mapped below
        // 4 GiB; table `index` lies within them.
        unsafe {
            let directory = tables.add(index);
            for (entry, slot) in (*directory).iter_mut().enumerate() {
                let address = gib * GIB + entry as u64 * LARGE_PAGE;
                slot.set_addr(PhysAddr::new(address), DATA | Flags::HUGE_PAGE);
            }
            (&mut *addr_of_mut!(BOOT_PDPT))[gib as usize]
                .set_addr(PhysAddr::new(directory as u64), TABLE_FLAGS);
        }
    }
    // The new entries only add mappings.
    tlb::flush_all();
    0
}

//! Identity page tables: the first 4 GiB at boot, more on request from the platform.
//!
//! The 32-bit entry fills one PML4 entry, four PDPT entries and 2048 2 MiB PD entries (see
//! `boot32.rs`). 2 MiB pages are used because QEMU's default CPU models lack 1 GiB pages. The
//! 2 MiB region holding the boot stack's guard page is remapped with 4 KiB pages so that the
//! guard alone can be left unmapped. All pages are read-write-execute: the ELF segments separate
//! text, read-only data and data for the loader and for tools, the page tables do not enforce it
//! (yet).

use core::ptr::addr_of_mut;

/// Entries per table.
const ENTRIES: usize = 512;
/// Present, writable.
const TABLE_FLAGS: u64 = 0x3;
/// Present, writable, 2 MiB page.
const LARGE_PAGE_FLAGS: u64 = 0x83;
const GIB: u64 = 1 << 30;
const LARGE_PAGE: u64 = 2 << 20;
const TABLE_BYTES: u64 = 4096;
/// Gigabytes mapped by the 32-bit entry.
const BOOT_MAPPED_GIB: u64 = 4;
/// One PDPT maps 512 GiB; the identity map does not go beyond it.
const MAX_MAPPED_GIB: u64 = ENTRIES as u64;

#[repr(C, align(4096))]
pub struct PageTable(pub [u64; ENTRIES]);

pub static mut BOOT_PML4: PageTable = PageTable([0; ENTRIES]);
pub static mut BOOT_PDPT: PageTable = PageTable([0; ENTRIES]);
pub static mut BOOT_PD: [PageTable; BOOT_MAPPED_GIB as usize] =
    [const { PageTable([0; ENTRIES]) }; BOOT_MAPPED_GIB as usize];

/// Present, writable, 4 KiB page (in a page table).
const PAGE_FLAGS: u64 = 0x3;
const PAGE: u64 = 4096;

/// The 4 KiB page table that replaces the 2 MiB page holding the boot stack's guard page.
static mut GUARD_PAGE_TABLE: PageTable = PageTable([0; ENTRIES]);

/// Unmaps the 4 KiB page at `guard` (below 4 GiB, page-aligned) by mapping its 2 MiB region
/// with 4 KiB pages, all present but that one.
///
/// # Safety
/// Call once at boot; nothing may live in the guard page.
pub unsafe fn install_guard_page(guard: u64) {
    let region = guard & !(LARGE_PAGE - 1);
    let directory_entry = (guard / LARGE_PAGE) as usize;
    // SAFETY: single-threaded boot; the new mapping equals the old one except for the guard
    // page, so the code and data in use stay mapped while the tables change.
    unsafe {
        let table = addr_of_mut!(GUARD_PAGE_TABLE.0) as *mut u64;
        for entry in 0..ENTRIES {
            let address = region + entry as u64 * PAGE;
            let value = if address == guard {
                address | crate::guard::GUARD_MARKER
            } else {
                address | PAGE_FLAGS
            };
            table.add(entry).write_volatile(value);
        }
        let directories = addr_of_mut!(BOOT_PD) as *mut u64;
        directories
            .add(directory_entry)
            .write_volatile(table as u64 | TABLE_FLAGS);
        flush_tlb();
    }
}

/// Reloads CR3 with the same PML4, which flushes the TLB.
///
/// # Safety
/// The page tables must map the running code and stack.
pub unsafe fn flush_tlb() {
    // SAFETY: the caller keeps the running code and stack mapped.
    unsafe {
        core::arch::asm!(
            "mov {tmp}, cr3",
            "mov cr3, {tmp}",
            tmp = out(reg) _,
            options(nostack, preserves_flags)
        );
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
    gib_needed(end).saturating_sub(BOOT_MAPPED_GIB) * TABLE_BYTES
}

/// Extends the identity map to cover `[0, end)` (at most 512 GiB) with page directories written
/// at `tables_phys`, which must be 4 KiB aligned, below 4 GiB (already mapped), hold
/// [`ukarch_identity_map_bytes`]`(end)` bytes, and stay reserved for as long as the image runs.
/// Returns 0, or -22 (EINVAL) if `tables_phys` is unaligned or not below 4 GiB.
///
/// # Safety
/// `tables_phys` must be free RAM that nothing else uses; call once, before other CPUs run.
#[no_mangle]
pub unsafe extern "C" fn ukarch_identity_map_extend(end: u64, tables_phys: u64) -> i32 {
    let bytes = ukarch_identity_map_bytes(end);
    if bytes == 0 {
        return 0;
    }
    if !tables_phys.is_multiple_of(TABLE_BYTES) || tables_phys + bytes > BOOT_MAPPED_GIB * GIB {
        return -22;
    }
    let tables = tables_phys as *mut u64;
    for gib in BOOT_MAPPED_GIB..gib_needed(end) {
        let index = (gib - BOOT_MAPPED_GIB) as usize;
        // SAFETY: the caller hands over `bytes` bytes at `tables_phys`, identity-mapped below
        // 4 GiB; `index * ENTRIES + entry` stays within them.
        unsafe {
            let directory = tables.add(index * ENTRIES);
            for entry in 0..ENTRIES {
                let address = gib * GIB + entry as u64 * LARGE_PAGE;
                directory
                    .add(entry)
                    .write_volatile(address | LARGE_PAGE_FLAGS);
            }
            let pdpt = addr_of_mut!(BOOT_PDPT.0) as *mut u64;
            pdpt.add(gib as usize)
                .write_volatile(directory as u64 | TABLE_FLAGS);
        }
    }
    // SAFETY: the new entries only add mappings.
    unsafe { flush_tlb() };
    0
}

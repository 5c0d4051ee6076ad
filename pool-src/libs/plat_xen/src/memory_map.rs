//! The memory map when the start info has none: Xen 4.17 gives a PVH dom0 a version-0
//! `hvm_start_info` (no memory map; a domU built by libxl gets version 1). The domain's map is
//! then asked of Xen with `XENMEM_memory_map` (E820 entries: 8-byte address, 8-byte size,
//! 4-byte type, packed) and copied, converted to `hvm_memmap_table_entry`s, into a table in
//! this image's `.bss`, which the start info is then made to point to.

use crate::hypercall::{self, MEMORY_OP};
use crate::start_info::{MemmapEntry, StartInfo};
use core::ptr::addr_of_mut;

const XENMEM_MEMORY_MAP: u64 = 9;
const MAX_ENTRIES: usize = 64;
const E820_ENTRY_SIZE: usize = 20;

/// `struct xen_memory_map`.
#[repr(C)]
struct MemoryMapRequest {
    nr_entries: u32,
    pad: u32,
    buffer: u64,
}

static mut RAW: [u8; MAX_ENTRIES * E820_ENTRY_SIZE] = [0; MAX_ENTRIES * E820_ENTRY_SIZE];
static mut TABLE: [MemmapEntry; MAX_ENTRIES] = [MemmapEntry {
    addr: 0,
    size: 0,
    kind: 0,
    reserved: 0,
}; MAX_ENTRIES];

/// Fills `info`'s memory map from Xen; false if Xen gave none.
///
/// # Safety
/// Called once, during single-threaded boot.
pub unsafe fn from_hypervisor(info: &mut StartInfo) -> bool {
    let raw = addr_of_mut!(RAW) as *mut u8;
    let mut request = MemoryMapRequest {
        nr_entries: MAX_ENTRIES as u32,
        pad: 0,
        buffer: raw as u64,
    };
    // SAFETY: Xen writes at most `nr_entries` E820 entries to `buffer`, which has room for them.
    let result = unsafe {
        hypercall::call3(
            MEMORY_OP,
            XENMEM_MEMORY_MAP,
            addr_of_mut!(request) as u64,
            0,
        )
    };
    let count = (request.nr_entries as usize).min(MAX_ENTRIES);
    if result != 0 || count == 0 {
        return false;
    }
    let table = addr_of_mut!(TABLE) as *mut MemmapEntry;
    for index in 0..count {
        let mut bytes = [0u8; E820_ENTRY_SIZE];
        // SAFETY: entry `index` lies inside RAW; only this boot code touches RAW and TABLE.
        unsafe {
            core::ptr::copy_nonoverlapping(
                raw.add(index * E820_ENTRY_SIZE),
                bytes.as_mut_ptr(),
                E820_ENTRY_SIZE,
            );
        }
        let field = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]));
        let entry = MemmapEntry {
            addr: field(0),
            size: field(8),
            kind: u32::from_le_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]),
            reserved: 0,
        };
        // SAFETY: `index < MAX_ENTRIES`.
        unsafe { table.add(index).write(entry) };
    }
    info.memmap_paddr = table as u64;
    info.memmap_entries = count as u32;
    true
}

//! The memory-region table: free RAM, and the RAM that the image and the boot structures use.
//!
//! Built once at boot from the PVH memory map. Free regions (flag `FREE`) are the RAM ranges
//! minus the image, the start info and everything it points to (memory map, command line,
//! module list, modules and their command lines) and the page tables added for RAM above 4 GiB;
//! they are page-aligned, never include the low memory that arch_x86_64 unmaps
//! (`ukarch_null_guard_bytes`, 64 KiB), and come first, sorted by address. The used
//! ranges follow, flagged `IMAGE`, `BOOT_INFO` or `MODULE` (so an initrd can be found),
//! page-aligned outward. Neighbours with equal flags are merged.

use crate::start_info::{c_string, BootInfo, MEMMAP_RAM};
use core::ptr::addr_of;

/// Region flags, as in `uk/plat.h`.
pub const FREE: u32 = 1 << 0;
pub const IMAGE: u32 = 1 << 1;
pub const BOOT_INFO: u32 = 1 << 2;
pub const MODULE: u32 = 1 << 3;

const PAGE: u64 = 4096;
const MAX_REGIONS: usize = 64;
const MAX_RESERVED: usize = 24;

/// `struct ukplat_memregion`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct MemoryRegion {
    pub base: u64,
    pub len: u64,
    pub flags: u32,
    pub pad: u32,
}

impl MemoryRegion {
    fn end(&self) -> u64 {
        self.base + self.len
    }
}

/// A fixed-capacity list of regions (no allocator exists at this point).
pub struct RegionTable {
    regions: [MemoryRegion; MAX_REGIONS],
    count: usize,
}

impl RegionTable {
    pub const fn new() -> RegionTable {
        RegionTable {
            regions: [MemoryRegion {
                base: 0,
                len: 0,
                flags: 0,
                pad: 0,
            }; MAX_REGIONS],
            count: 0,
        }
    }

    pub fn as_slice(&self) -> &[MemoryRegion] {
        &self.regions[..self.count]
    }

    /// Appends a region; drops it (and says so on the console) when the table is full.
    fn push(&mut self, region: MemoryRegion) {
        if region.len == 0 {
            return;
        }
        if self.count == MAX_REGIONS {
            crate::console::write(b"ukl: plat_kvm: memory region table full, region dropped\n");
            return;
        }
        self.regions[self.count] = region;
        self.count += 1;
    }

    /// Removes `[base, end)` from the free regions, splitting them where needed.
    fn subtract(&mut self, base: u64, end: u64) {
        let mut index = 0;
        while index < self.count {
            let region = self.regions[index];
            if end <= region.base || base >= region.end() || region.flags != FREE {
                index += 1;
                continue;
            }
            let below = MemoryRegion {
                len: base.saturating_sub(region.base),
                ..region
            };
            let above_base = end.max(region.base);
            let above = MemoryRegion {
                base: above_base,
                len: region.end().saturating_sub(above_base),
                ..region
            };
            self.regions[index] = below;
            if above.len > 0 {
                self.push(above);
            }
            index += 1;
        }
        self.drop_empty();
    }

    fn drop_empty(&mut self) {
        let mut kept = 0;
        for index in 0..self.count {
            if self.regions[index].len > 0 {
                self.regions[kept] = self.regions[index];
                kept += 1;
            }
        }
        self.count = kept;
    }

    /// Merges neighbours (in table order) that have the same flags and touch or overlap; call
    /// after `sort`.
    fn coalesce(&mut self) {
        let mut kept = 0;
        for index in 0..self.count {
            let region = self.regions[index];
            if kept > 0 {
                let last = &mut self.regions[kept - 1];
                if last.flags == region.flags && region.base <= last.end() {
                    let end = last.end().max(region.end());
                    last.len = end - last.base;
                    continue;
                }
            }
            self.regions[kept] = region;
            kept += 1;
        }
        self.count = kept;
    }

    fn sort(&mut self) {
        // Insertion sort: free regions first, then by address.
        for index in 1..self.count {
            let mut position = index;
            while position > 0
                && sort_key(&self.regions[position]) < sort_key(&self.regions[position - 1])
            {
                self.regions.swap(position, position - 1);
                position -= 1;
            }
        }
    }
}

fn sort_key(region: &MemoryRegion) -> (bool, u64) {
    (region.flags != FREE, region.base)
}

fn align_down(value: u64) -> u64 {
    value & !(PAGE - 1)
}

fn align_up(value: u64) -> u64 {
    value.saturating_add(PAGE - 1) & !(PAGE - 1)
}

extern "C" {
    static __uk_image_start: u8;
    static __uk_image_end: u8;
    fn ukarch_identity_map_bytes(end: u64) -> u64;
    fn ukarch_identity_map_extend(end: u64, tables_phys: u64) -> i32;
    fn ukarch_null_guard_bytes() -> u64;
}

/// Below this address the identity map always exists (set up by the 32-bit entry).
const BOOT_MAPPED_END: u64 = 4 << 30;

/// The image is not wholly inside RAM (`-m` too small): its end address, for the message.
#[derive(Clone, Copy, Debug)]
pub struct ImageOutsideRam {
    pub image_end: u64,
}

/// Builds the table from the start info; maps RAM above 4 GiB with page tables taken from free
/// RAM below 4 GiB.
pub fn build(boot: &BootInfo, table: &mut RegionTable) -> Result<(), ImageOutsideRam> {
    let (image_start, image_end) = (
        addr_of!(__uk_image_start) as u64,
        addr_of!(__uk_image_end) as u64,
    );
    let image_in_ram = boot.memory_map().iter().any(|entry| {
        entry.kind == MEMMAP_RAM
            && entry.addr <= image_start
            && image_end <= entry.addr.saturating_add(entry.size)
    });
    if !image_in_ram {
        return Err(ImageOutsideRam { image_end });
    }
    // SAFETY: a constant of the architecture library.
    let low_end = unsafe { ukarch_null_guard_bytes() }.max(PAGE);
    let mut ram_end = 0;
    for entry in boot
        .memory_map()
        .iter()
        .filter(|entry| entry.kind == MEMMAP_RAM)
    {
        let base = align_up(entry.addr).max(low_end);
        let end = align_down(entry.addr.saturating_add(entry.size));
        if end > base {
            table.push(MemoryRegion {
                base,
                len: end - base,
                flags: FREE,
                pad: 0,
            });
            ram_end = ram_end.max(end);
        }
    }

    let mut reserved = [MemoryRegion::default(); MAX_RESERVED];
    let mut reserved_count = 0;
    let mut reserve = |base: u64, len: u64, flags: u32| {
        if len > 0 && reserved_count < MAX_RESERVED {
            let start = align_down(base);
            let end = align_up(base.saturating_add(len));
            reserved[reserved_count] = MemoryRegion {
                base: start,
                len: end - start,
                flags,
                pad: 0,
            };
            reserved_count += 1;
        }
    };
    let (image_start, image_end) = (
        addr_of!(__uk_image_start) as u64,
        addr_of!(__uk_image_end) as u64,
    );
    reserve(image_start, image_end - image_start, IMAGE);
    reserve(boot.phys, boot.size(), BOOT_INFO);
    let memory_map = boot.memory_map();
    reserve(
        memory_map.as_ptr() as u64,
        core::mem::size_of_val(memory_map) as u64,
        BOOT_INFO,
    );
    if let Some(cmdline) = boot.cmdline() {
        reserve(cmdline.as_ptr() as u64, cmdline.len() as u64, BOOT_INFO);
    }
    let modules = boot.modules();
    reserve(
        modules.as_ptr() as u64,
        core::mem::size_of_val(modules) as u64,
        BOOT_INFO,
    );
    for module in modules {
        reserve(module.paddr, module.size, MODULE);
        // QEMU's PVH option ROM leaves `cmdline_paddr` of its initrd module uninitialized
        // (seen: 0x202000f18f2): only an address inside RAM can be a command line.
        if module.cmdline_paddr >= ram_end {
            continue;
        }
        // SAFETY: the loader passes a NUL-terminated string or 0.
        if let Some(cmdline) = unsafe { c_string(module.cmdline_paddr) } {
            reserve(cmdline.as_ptr() as u64, cmdline.len() as u64, BOOT_INFO);
        }
    }

    for region in &reserved[..reserved_count] {
        table.subtract(region.base, region.end());
    }
    for region in &reserved[..reserved_count] {
        table.push(*region);
    }
    map_high_memory(table, ram_end);
    table.sort();
    table.coalesce();
    Ok(())
}

/// Extends the identity map past 4 GiB when RAM goes there, carving the page directories out of
/// the first free region below 4 GiB that can hold them.
fn map_high_memory(table: &mut RegionTable, ram_end: u64) {
    // SAFETY: a pure computation in the architecture library.
    let bytes = unsafe { ukarch_identity_map_bytes(ram_end) };
    if bytes == 0 {
        return;
    }
    let candidate = table.as_slice().iter().position(|region| {
        region.flags == FREE && region.len >= bytes && region.base + bytes <= BOOT_MAPPED_END
    });
    let Some(index) = candidate else {
        crate::console::write(b"ukl: plat_kvm: no room for page tables, RAM above 4 GiB unused\n");
        table.subtract(BOOT_MAPPED_END, u64::MAX);
        return;
    };
    let tables = table.regions[index].base;
    // SAFETY: `[tables, tables + bytes)` is free RAM below 4 GiB and is reserved right below.
    if unsafe { ukarch_identity_map_extend(ram_end, tables) } != 0 {
        table.subtract(BOOT_MAPPED_END, u64::MAX);
        return;
    }
    table.subtract(tables, tables + bytes);
    table.push(MemoryRegion {
        base: tables,
        len: bytes,
        flags: BOOT_INFO,
        pad: 0,
    });
    // RAM beyond what one page-directory-pointer table maps stays unused.
    table.subtract(512 << 30, u64::MAX);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free(base: u64, len: u64) -> MemoryRegion {
        MemoryRegion {
            base,
            len,
            flags: FREE,
            pad: 0,
        }
    }

    #[test]
    fn subtract_splits_and_trims() {
        let mut table = RegionTable::new();
        table.push(free(0x1000, 0x9f000));
        table.push(free(0x10_0000, 0x1f0_0000));
        table.subtract(0x10_0000, 0x13_6000); // image at the start of a region
        table.subtract(0x20_0000, 0x20_1000); // a hole in the middle
        table.subtract(0x9f000, 0xa_0000); // the tail of a region
        table.subtract(0x3000_0000, 0x3000_1000); // outside RAM
        table.sort();
        let regions: Vec<(u64, u64)> = table
            .as_slice()
            .iter()
            .map(|region| (region.base, region.end()))
            .collect();
        assert_eq!(
            regions,
            vec![
                (0x1000, 0x9f000),
                (0x13_6000, 0x20_0000),
                (0x20_1000, 0x200_0000)
            ]
        );
    }

    #[test]
    fn used_regions_sort_after_free_ones() {
        let mut table = RegionTable::new();
        table.push(MemoryRegion {
            base: 0x10_0000,
            len: 0x1000,
            flags: IMAGE,
            pad: 0,
        });
        table.push(free(0x20_0000, 0x1000));
        table.push(free(0x1000, 0x1000));
        table.push(MemoryRegion {
            base: 0x10_1000,
            len: 0x1000,
            flags: IMAGE,
            pad: 0,
        });
        table.push(free(0x1000, 0x2000));
        table.sort();
        table.coalesce();
        let flags: Vec<u32> = table.as_slice().iter().map(|region| region.flags).collect();
        assert_eq!(flags, vec![FREE, FREE, IMAGE]);
        assert_eq!(
            (table.as_slice()[0].base, table.as_slice()[0].len),
            (0x1000, 0x2000)
        );
        assert_eq!(table.as_slice()[2].len, 0x2000);
    }
}

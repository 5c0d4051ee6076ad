//! Memory regions: one anonymous `mmap` of the configured size stands for the guest's free RAM,
//! the image itself is listed as used, and a mapped initrd (see [`crate::initrd`]) as a module,
//! so allocbuddy, linux_syscall (and crash reports) see the same kind of table as on kvm.
//!
//! The size is `ukplat_linuxu_memory_mb` (an exported variable, 64 by default, meant to be set
//! at link time), unless the environment variable `UKL_MEMORY` gives one in QEMU's `-m` syntax
//! (`64`, `64M`, `512K`, `1G`; a bare number is MiB), which is what `ukl run -m` sets. The
//! mapping is `MAP_NORESERVE` (pages cost host memory only once touched) and aligned to 2 MiB,
//! so buddy blocks are as well aligned as in a guest's RAM.

use crate::syscall::{self, MMAP, MUNMAP};
use core::sync::atomic::{AtomicU64, Ordering};

/// `struct ukplat_memregion` from `uk/plat.h`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MemoryRegion {
    pub base: u64,
    pub len: u64,
    pub flags: u32,
    pub pad: u32,
}

pub const FREE: u32 = 0x1;
pub const IMAGE: u32 = 0x2;
pub const MODULE: u32 = 0x8;

const PAGE: u64 = 4096;
const ALIGNMENT: u64 = 2 << 20;
const MIB: u64 = 1 << 20;

const PROT_READ_WRITE: usize = 0x1 | 0x2;
const MAP_PRIVATE: usize = 0x02;
const MAP_ANONYMOUS: usize = 0x20;
const MAP_NORESERVE: usize = 0x4000;

/// Default memory in MiB; an exported variable so that a link-time option can set it.
#[no_mangle]
pub static ukplat_linuxu_memory_mb: AtomicU64 = AtomicU64::new(64);

/// The free region (base, length), set once at start-up.
static FREE_BASE: AtomicU64 = AtomicU64::new(0);
static FREE_LEN: AtomicU64 = AtomicU64::new(0);

extern "C" {
    static __uk_image_start: u8;
    static __uk_image_end: u8;
}

/// Why the memory could not be set up.
pub enum MemoryError {
    /// `UKL_MEMORY` is not a size.
    BadSize,
    /// `mmap` failed with this errno.
    Map { bytes: u64, errno: isize },
}

/// Parses a size in QEMU's `-m` syntax into bytes.
pub fn parse_size(text: &[u8]) -> Option<u64> {
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut number: u64 = 0;
    for &digit in &text[..digits] {
        number = number
            .checked_mul(10)?
            .checked_add(u64::from(digit - b'0'))?;
    }
    let unit = match &text[digits..] {
        b"" | b"M" | b"m" | b"MB" | b"MiB" => MIB,
        b"K" | b"k" | b"KB" | b"KiB" => 1 << 10,
        b"G" | b"g" | b"GB" | b"GiB" => 1 << 30,
        _ => return None,
    };
    number.checked_mul(unit)
}

/// Maps the free region: `size_override` (from `UKL_MEMORY`) or the link-time default.
pub fn init(size_override: Option<&[u8]>) -> Result<(), MemoryError> {
    let bytes = match size_override {
        Some(text) => parse_size(text).ok_or(MemoryError::BadSize)?,
        None => ukplat_linuxu_memory_mb.load(Ordering::Relaxed) * MIB,
    };
    let bytes = bytes.div_ceil(PAGE) * PAGE;
    if bytes == 0 {
        return Ok(());
    }
    let mapped = bytes + ALIGNMENT;
    let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    // SAFETY: a fresh anonymous mapping chosen by the kernel; it overlaps nothing of ours.
    let result = unsafe {
        syscall::syscall6(
            MMAP,
            [0, mapped as usize, PROT_READ_WRITE, flags, usize::MAX, 0],
        )
    };
    if syscall::is_error(result) {
        return Err(MemoryError::Map {
            bytes,
            errno: -result,
        });
    }
    let start = result as u64;
    let base = start.next_multiple_of(ALIGNMENT);
    let end = base + bytes;
    // SAFETY: both ranges lie inside the mapping just made, outside the part kept.
    unsafe {
        if base > start {
            syscall::syscall6(
                MUNMAP,
                [start as usize, (base - start) as usize, 0, 0, 0, 0],
            );
        }
        if start + mapped > end {
            syscall::syscall6(
                MUNMAP,
                [end as usize, (start + mapped - end) as usize, 0, 0, 0, 0],
            );
        }
    }
    FREE_BASE.store(base, Ordering::Relaxed);
    FREE_LEN.store(bytes, Ordering::Relaxed);
    Ok(())
}

fn image() -> MemoryRegion {
    let start = core::ptr::addr_of!(__uk_image_start) as u64;
    let end = core::ptr::addr_of!(__uk_image_end) as u64;
    MemoryRegion {
        base: start,
        len: end.next_multiple_of(PAGE) - start,
        flags: IMAGE,
        pad: 0,
    }
}

/// The region table: the free region first (if any), then the image, then the initrd (if any).
pub fn regions() -> ([MemoryRegion; 3], usize) {
    let free = (
        FREE_BASE.load(Ordering::Relaxed),
        FREE_LEN.load(Ordering::Relaxed),
    );
    table(free, image(), crate::initrd::region())
}

/// The table for a free region (base, length; none when the length is 0), the image and an
/// optional module; unused entries repeat the image.
fn table(
    free: (u64, u64),
    image: MemoryRegion,
    module: Option<(u64, u64)>,
) -> ([MemoryRegion; 3], usize) {
    let mut regions = [image; 3];
    let mut count = 0;
    let region = |(base, len): (u64, u64), flags| MemoryRegion {
        base,
        len,
        flags,
        pad: 0,
    };
    if free.1 != 0 {
        regions[count] = region(free, FREE);
        count += 1;
    }
    regions[count] = image;
    count += 1;
    if let Some(module) = module {
        regions[count] = region(module, MODULE);
        count += 1;
    }
    (regions, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_qemu_syntax() {
        assert_eq!(parse_size(b"64"), Some(64 << 20));
        assert_eq!(parse_size(b"32M"), Some(32 << 20));
        assert_eq!(parse_size(b"512K"), Some(512 << 10));
        assert_eq!(parse_size(b"1G"), Some(1 << 30));
        assert_eq!(parse_size(b"x"), None);
        assert_eq!(parse_size(b"12Q"), None);
    }

    #[test]
    fn the_table_lists_free_memory_the_image_and_the_initrd() {
        let image = MemoryRegion {
            base: 0x40_0000,
            len: 0x1000,
            flags: IMAGE,
            pad: 0,
        };
        let flags = |(regions, count): ([MemoryRegion; 3], usize)| -> Vec<(u64, u64, u32)> {
            regions[..count]
                .iter()
                .map(|r| (r.base, r.len, r.flags))
                .collect()
        };
        assert_eq!(
            flags(table((0x20_0000, 0x10_0000), image, None)),
            [(0x20_0000, 0x10_0000, FREE), (0x40_0000, 0x1000, IMAGE)]
        );
        assert_eq!(
            flags(table((0x20_0000, 0x10_0000), image, Some((0x7000, 300)))),
            [
                (0x20_0000, 0x10_0000, FREE),
                (0x40_0000, 0x1000, IMAGE),
                (0x7000, 300, MODULE)
            ]
        );
        assert_eq!(
            flags(table((0, 0), image, Some((0x7000, 300)))),
            [(0x40_0000, 0x1000, IMAGE), (0x7000, 300, MODULE)]
        );
    }
}

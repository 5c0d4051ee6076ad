//! The PVH `hvm_start_info` structure (Xen's `arch-x86/hvm/start_info.h` layout).
//!
//! The loader puts it in guest memory and passes its physical address in `ebx`. Version 1 adds
//! the memory map, which this platform requires (QEMU, Firecracker and Cloud Hypervisor provide
//! it; only a Xen guest would have to ask the hypervisor instead).

use core::ffi::CStr;

/// `hvm_start_info.magic`: "xEn3" with the 0x80 bit set in the first byte.
const MAGIC: u32 = 0x336e_c578;
/// Memory map entry type for usable RAM.
pub const MEMMAP_RAM: u32 = 1;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct StartInfo {
    pub magic: u32,
    pub version: u32,
    pub flags: u32,
    pub nr_modules: u32,
    pub modlist_paddr: u64,
    pub cmdline_paddr: u64,
    pub rsdp_paddr: u64,
    // Version 1 and later.
    pub memmap_paddr: u64,
    pub memmap_entries: u32,
    pub reserved: u32,
}

/// One `hvm_memmap_table_entry`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MemmapEntry {
    pub addr: u64,
    pub size: u64,
    pub kind: u32,
    pub reserved: u32,
}

/// One `hvm_modlist_entry`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ModuleEntry {
    pub paddr: u64,
    pub size: u64,
    pub cmdline_paddr: u64,
    pub reserved: u64,
}

/// Why the start info cannot be used.
#[derive(Clone, Copy, Debug)]
pub enum StartInfoError {
    BadMagic,
    NoMemoryMap,
}

impl StartInfoError {
    /// A description, for `ukarch_crash`.
    pub fn message(self) -> &'static CStr {
        match self {
            StartInfoError::BadMagic => c"PVH start info has a bad magic number",
            StartInfoError::NoMemoryMap => c"PVH start info has no memory map (version 0)",
        }
    }
}

/// The validated start info and views of the tables it points to (all identity-mapped).
pub struct BootInfo {
    pub phys: u64,
    pub info: StartInfo,
}

impl BootInfo {
    /// Validates the structure at `phys`.
    ///
    /// # Safety
    /// `phys` is the address the PVH loader passed; the first 4 GiB are identity-mapped.
    pub unsafe fn read(phys: u64) -> Result<BootInfo, StartInfoError> {
        // SAFETY: the loader placed a `hvm_start_info` at `phys`; version 0 ends before the
        // memory-map fields, which are only used once `version >= 1` has been checked.
        let info = unsafe { (phys as *const StartInfo).read_unaligned() };
        if info.magic != MAGIC {
            return Err(StartInfoError::BadMagic);
        }
        if info.version < 1 || info.memmap_paddr == 0 || info.memmap_entries == 0 {
            return Err(StartInfoError::NoMemoryMap);
        }
        Ok(BootInfo { phys, info })
    }

    /// Bytes of the start info structure itself.
    pub fn size(&self) -> u64 {
        core::mem::size_of::<StartInfo>() as u64
    }

    pub fn memory_map(&self) -> &'static [MemmapEntry] {
        // SAFETY: the loader guarantees `memmap_entries` entries at `memmap_paddr`, and the
        // memory is reserved (never handed out as free) for the image's lifetime.
        unsafe {
            core::slice::from_raw_parts(
                self.info.memmap_paddr as *const MemmapEntry,
                self.info.memmap_entries as usize,
            )
        }
    }

    pub fn modules(&self) -> &'static [ModuleEntry] {
        if self.info.modlist_paddr == 0 || self.info.nr_modules == 0 {
            return &[];
        }
        // SAFETY: as for `memory_map`, with `nr_modules` entries at `modlist_paddr`.
        unsafe {
            core::slice::from_raw_parts(
                self.info.modlist_paddr as *const ModuleEntry,
                self.info.nr_modules as usize,
            )
        }
    }

    /// The command line with its NUL, or None if the loader passed none.
    pub fn cmdline(&self) -> Option<&'static [u8]> {
        // SAFETY: the loader passes a NUL-terminated string or 0.
        unsafe { c_string(self.info.cmdline_paddr) }
    }
}

/// The NUL-terminated string at `phys` (NUL included), or None for address 0.
///
/// # Safety
/// `phys` is 0 or the address of a NUL-terminated string in identity-mapped memory.
pub unsafe fn c_string(phys: u64) -> Option<&'static [u8]> {
    if phys == 0 {
        return None;
    }
    let start = phys as *const u8;
    let mut len = 0;
    // SAFETY: the caller passes a NUL-terminated string; reading stops at the NUL.
    while unsafe { start.add(len).read() } != 0 {
        len += 1;
    }
    // SAFETY: `len + 1` bytes were just read.
    Some(unsafe { core::slice::from_raw_parts(start, len + 1) })
}

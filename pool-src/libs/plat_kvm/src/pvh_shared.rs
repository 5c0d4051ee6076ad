//! What the two PVH platforms, KVM and Xen, do alike (plat_xen includes this file with
//! `#[path]`, as it does `memory.rs` and `start_info.rs`): the boot state (memory regions and
//! command line) and the `ukplat_*` exports that only read it or call the platform's own
//! `console` and `clock` modules, which each platform implements its own way.

use core::cell::UnsafeCell;
use core::ffi::c_char;
use core::fmt::Write;

use crate::memory::{self, MemoryRegion, RegionTable};
use crate::start_info::BootInfo;
use crate::{clock, console};

extern "C" {
    fn ukarch_crash(why: *const c_char) -> !;
    fn ukarch_null_guard_bytes() -> u64;
    fn ukarch_null_guard_install(end: u64) -> u64;
}

/// Room for a command line that the loader put in the low memory about to be unmapped.
const CMDLINE_COPY_BYTES: usize = 4096;
static mut CMDLINE_COPY: [u8; CMDLINE_COPY_BYTES] = [0; CMDLINE_COPY_BYTES];

/// Boot-time state: written once by `ukplat_entry_pvh` before anything else runs, read-only
/// afterwards.
struct BootState {
    regions: RegionTable,
    cmdline: *const c_char,
}

struct BootCell(UnsafeCell<BootState>);

// SAFETY: written only during single-threaded boot, before any reader exists.
unsafe impl Sync for BootCell {}

static BOOT: BootCell = BootCell(UnsafeCell::new(BootState {
    regions: RegionTable::new(),
    cmdline: c"".as_ptr(),
}));

fn boot_state() -> &'static BootState {
    // SAFETY: after boot the state is never written again.
    unsafe { &*BOOT.0.get() }
}

/// Builds the memory regions and takes the command line from the start info; stops the boot
/// with a message naming `library` and what to enlarge (`machine`: "guest", "domain") if the
/// image does not fit in RAM. Then unmaps the low memory (null-pointer accesses fault), after
/// copying the command line out of it; a module the loader put there (never seen) keeps the
/// pages from its own on mapped.
///
/// # Safety
/// Called once, during single-threaded boot, before anything reads the boot state.
pub(crate) unsafe fn publish(boot: &BootInfo, library: &str, machine: &str) {
    let mut regions = RegionTable::new();
    if let Err(error) = memory::build(boot, &mut regions) {
        let _ = writeln!(
            console::Console,
            "ukl: {library}: the image ends at {:#x}, beyond RAM: give the {machine} at least {} KiB",
            error.image_end,
            error.image_end.div_ceil(1024)
        );
        // SAFETY: the message is NUL-terminated.
        unsafe { ukarch_crash(c"image does not fit in RAM".as_ptr()) };
    }
    // SAFETY: a constant of the architecture library.
    let low_end = unsafe { ukarch_null_guard_bytes() };
    let mut keep_from = low_end;
    let cmdline = match boot.cmdline() {
        None => c"".as_ptr(),
        Some(line) if (line.as_ptr() as u64) >= low_end => line.as_ptr().cast(),
        Some(line) if line.len() <= CMDLINE_COPY_BYTES => {
            // SAFETY: single-threaded boot; the copy holds the line and its NUL.
            unsafe {
                let copy = core::ptr::addr_of_mut!(CMDLINE_COPY).cast::<u8>();
                core::ptr::copy_nonoverlapping(line.as_ptr(), copy, line.len());
                copy.cast_const().cast()
            }
        }
        Some(line) => {
            keep_from = keep_from.min(line.as_ptr() as u64);
            line.as_ptr().cast()
        }
    };
    for module in boot.modules() {
        if module.size > 0 && module.paddr < low_end {
            keep_from = keep_from.min(module.paddr);
        }
    }
    // SAFETY: the caller's promise: nothing reads the boot state before this write completes.
    unsafe { BOOT.0.get().write(BootState { regions, cmdline }) };
    // SAFETY: nothing below `keep_from` is used from here on: the free regions start above the
    // low memory, the command line was copied, modules below it stay mapped.
    unsafe { ukarch_null_guard_install(keep_from) };
}

/// Writes `len` bytes to the console (KVM: the serial port, `\n` becomes `\r\n`; Xen: the
/// console ring or port 0xe9).
///
/// # Safety
/// `buf` points to `len` readable bytes (or `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn ukplat_console_write(buf: *const c_char, len: usize) {
    if buf.is_null() || len == 0 {
        return;
    }
    // SAFETY: the caller passes `len` readable bytes.
    console::write(unsafe { core::slice::from_raw_parts(buf.cast(), len) });
}

/// Reads up to `len` bytes of console input that have arrived, never waiting: the count, 0
/// when nothing is there now, or -1 when the console takes no input (its reads are at the end
/// of the input). KVM: the serial port's receive side; Xen: -1.
///
/// # Safety
/// `buf` points to `len` writable bytes (or `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn ukplat_console_read(buf: *mut c_char, len: usize) -> isize {
    if buf.is_null() || len == 0 {
        return 0;
    }
    // SAFETY: the caller passes `len` writable bytes.
    console::read(unsafe { core::slice::from_raw_parts_mut(buf.cast(), len) })
}

/// Number of entries in the memory-region table.
#[no_mangle]
pub extern "C" fn ukplat_memregion_count() -> i32 {
    boot_state().regions.as_slice().len() as i32
}

/// Copies region `index` to `*region`. Returns 0, or -22 (EINVAL) for a bad index or NULL.
///
/// # Safety
/// `region` is NULL or points to a writable `struct ukplat_memregion`.
#[no_mangle]
pub unsafe extern "C" fn ukplat_memregion_get(index: i32, region: *mut MemoryRegion) -> i32 {
    let regions = boot_state().regions.as_slice();
    match usize::try_from(index)
        .ok()
        .and_then(|index| regions.get(index))
    {
        Some(found) if !region.is_null() => {
            // SAFETY: the caller passes a writable region.
            unsafe { region.write(*found) };
            0
        }
        _ => -22,
    }
}

/// The command line the loader passed (QEMU: `-append`; Xen: the domain's); "" if none. Never
/// NULL.
#[no_mangle]
pub extern "C" fn ukplat_cmdline() -> *const c_char {
    boot_state().cmdline
}

/// Nanoseconds since the PVH entry (KVM: TSC-based; Xen: Xen system time).
#[no_mangle]
pub extern "C" fn ukplat_monotonic_ns() -> u64 {
    clock::monotonic_ns()
}

/// The TSC value read by the very first instruction of the PVH entry.
#[no_mangle]
pub extern "C" fn ukplat_boot_tsc() -> u64 {
    clock::entry_tsc()
}

/// The TSC frequency in Hz that the clock uses (Xen: implied by Xen's time scale).
#[no_mangle]
pub extern "C" fn ukplat_tsc_hz() -> u64 {
    clock::tsc_hz()
}

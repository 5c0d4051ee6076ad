//! Time from Xen's shared info page: vCPU 0's `vcpu_time_info` and the wallclock.
//!
//! The shared info page is placed over a page of this image's `.bss` with
//! `XENMEM_add_to_physmap` (space `XENMAPSPACE_shared_info`). Xen keeps, per vCPU, a TSC stamp,
//! the system time (ns since Xen booted) at that stamp, and a scale (`tsc_to_system_mul`,
//! `tsc_shift`): ns = ((tsc - stamp) shifted by `tsc_shift`) × mul / 2^32. The fields are
//! consistent when `version` is even and unchanged across the read. The wallclock
//! (`wc_sec_hi:wc_sec`, `wc_nsec`, guarded by `wc_version` the same way) is the time of day at
//! system time 0.
//!
//! Monotonic time is system time now minus system time at the PVH entry (the entry's TSC,
//! converted with the same scale). Without Xen, the TSC is assumed to run at 1 GHz and the wall
//! clock starts at the Unix epoch (a warning says so).

use crate::hypercall::{self, MEMORY_OP};
use core::sync::atomic::{fence, AtomicBool, AtomicU64, Ordering};

const XENMEM_ADD_TO_PHYSMAP: u64 = 7;
const XENMAPSPACE_SHARED_INFO: u32 = 0;
const DOMID_SELF: u16 = 0x7ff0;
const PAGE_SHIFT: u32 = 12;

/// Offsets in `struct shared_info` (x86_64): `vcpu_info[32]` of 64 bytes each, the time info at
/// offset 32 of a `vcpu_info`; after the event-channel bitmaps, the wallclock fields.
const VCPU0_TIME: usize = 32;
const WC_VERSION: usize = 3072;
const WC_SEC: usize = 3076;
const WC_NSEC: usize = 3080;
const WC_SEC_HI: usize = 3084;

const NANOS_PER_SECOND: u64 = 1_000_000_000;
const FALLBACK_HZ: u64 = 1_000_000_000;
/// Reads of a structure that Xen keeps changing before trusting the last one.
const MAX_TRIES: u32 = 1000;

#[repr(C, align(4096))]
struct Page([u8; 4096]);

/// The page whose frame is replaced by the shared info page.
static mut SHARED_INFO: Page = Page([0; 4096]);

static MAPPED: AtomicBool = AtomicBool::new(false);
static ENTRY_TSC: AtomicU64 = AtomicU64::new(0);
static BOOT_SYSTEM_NS: AtomicU64 = AtomicU64::new(0);

/// `struct xen_add_to_physmap`.
#[repr(C)]
struct AddToPhysmap {
    domid: u16,
    size: u16,
    space: u32,
    idx: u64,
    gpfn: u64,
}

/// `struct vcpu_time_info`.
#[repr(C)]
#[derive(Clone, Copy)]
struct TimeInfo {
    version: u32,
    pad0: u32,
    tsc_timestamp: u64,
    system_time: u64,
    tsc_to_system_mul: u32,
    tsc_shift: i8,
    flags: u8,
    pad1: [u8; 2],
}

fn shared_info() -> *const u8 {
    core::ptr::addr_of!(SHARED_INFO) as *const u8
}

pub fn tsc() -> u64 {
    extern "C" {
        fn ukarch_tsc() -> u64;
    }
    // SAFETY: reads the TSC.
    unsafe { ukarch_tsc() }
}

/// Maps the shared info page; false if Xen refused (or is absent).
fn map_shared_info() -> bool {
    let mut request = AddToPhysmap {
        domid: DOMID_SELF,
        size: 0,
        space: XENMAPSPACE_SHARED_INFO,
        idx: 0,
        gpfn: shared_info() as u64 >> PAGE_SHIFT,
    };
    // SAFETY: XENMEM_add_to_physmap reads the request; the target frame is a page of our own
    // `.bss` that nothing else uses, identity-mapped.
    let result = unsafe {
        hypercall::call3(
            MEMORY_OP,
            XENMEM_ADD_TO_PHYSMAP,
            core::ptr::addr_of_mut!(request) as u64,
            0,
        )
    };
    result == 0
}

fn time_info() -> TimeInfo {
    let source = shared_info().wrapping_add(VCPU0_TIME) as *const TimeInfo;
    let mut last = None;
    for _ in 0..MAX_TRIES {
        // SAFETY: the shared info page is mapped (checked by the callers) and Xen updates it
        // concurrently: read volatile, then check the version.
        let version = unsafe { core::ptr::addr_of!((*source).version).read_volatile() };
        fence(Ordering::Acquire);
        // SAFETY: as above.
        let info = unsafe { source.read_volatile() };
        fence(Ordering::Acquire);
        // SAFETY: as above.
        let again = unsafe { core::ptr::addr_of!((*source).version).read_volatile() };
        if version & 1 == 0 && version == again {
            return info;
        }
        last = Some(info);
    }
    last.expect("MAX_TRIES is not 0")
}

/// Xen system time (ns) at TSC value `at`.
fn system_ns_at(info: &TimeInfo, at: u64) -> u64 {
    let delta = at.wrapping_sub(info.tsc_timestamp) as i64;
    let magnitude = delta.unsigned_abs();
    let shifted = if info.tsc_shift >= 0 {
        u128::from(magnitude) << info.tsc_shift
    } else {
        u128::from(magnitude) >> (-i32::from(info.tsc_shift))
    };
    let ns = ((shifted * u128::from(info.tsc_to_system_mul)) >> 32) as u64;
    if delta >= 0 {
        info.system_time.wrapping_add(ns)
    } else {
        info.system_time.wrapping_sub(ns)
    }
}

/// Sets up the clock; `entry_tsc` is time zero.
pub fn init(entry_tsc: u64) {
    ENTRY_TSC.store(entry_tsc, Ordering::Relaxed);
    if hypercall::ready() && map_shared_info() {
        MAPPED.store(true, Ordering::Release);
        let info = time_info();
        BOOT_SYSTEM_NS.store(system_ns_at(&info, entry_tsc), Ordering::Relaxed);
    } else {
        crate::console::write(
            b"ukl: plat_xen: no shared info from Xen: TSC assumed at 1 GHz, wall clock at 1970\n",
        );
    }
}

fn mapped() -> bool {
    MAPPED.load(Ordering::Acquire)
}

pub fn entry_tsc() -> u64 {
    ENTRY_TSC.load(Ordering::Relaxed)
}

/// The TSC frequency that Xen's scale implies (Hz).
pub fn tsc_hz() -> u64 {
    if !mapped() {
        return FALLBACK_HZ;
    }
    let info = time_info();
    if info.tsc_to_system_mul == 0 {
        return FALLBACK_HZ;
    }
    // ns per tick = mul × 2^shift / 2^32, so Hz = 10^9 × 2^32 / (mul × 2^shift).
    let mut numerator = u128::from(NANOS_PER_SECOND) << 32;
    let mut denominator = u128::from(info.tsc_to_system_mul);
    if info.tsc_shift >= 0 {
        denominator <<= info.tsc_shift;
    } else {
        numerator <<= -i32::from(info.tsc_shift);
    }
    (numerator / denominator) as u64
}

/// Nanoseconds since the PVH entry.
pub fn monotonic_ns() -> u64 {
    if !mapped() {
        return tsc().wrapping_sub(entry_tsc()) * (NANOS_PER_SECOND / FALLBACK_HZ);
    }
    let now = system_ns_at(&time_info(), tsc());
    now.saturating_sub(BOOT_SYSTEM_NS.load(Ordering::Relaxed))
}

fn read_u32(offset: usize) -> u32 {
    // SAFETY: the offset is inside the mapped shared info page; Xen updates it concurrently.
    unsafe { (shared_info().wrapping_add(offset) as *const u32).read_volatile() }
}

/// Nanoseconds since the Unix epoch.
pub fn wall_ns() -> u64 {
    if !mapped() {
        return monotonic_ns();
    }
    let mut boot_wall_ns = 0;
    for _ in 0..MAX_TRIES {
        let version = read_u32(WC_VERSION);
        fence(Ordering::Acquire);
        let seconds = (u64::from(read_u32(WC_SEC_HI)) << 32) | u64::from(read_u32(WC_SEC));
        let nanos = u64::from(read_u32(WC_NSEC));
        fence(Ordering::Acquire);
        boot_wall_ns = seconds * NANOS_PER_SECOND + nanos;
        if version & 1 == 0 && version == read_u32(WC_VERSION) {
            break;
        }
    }
    boot_wall_ns + system_ns_at(&time_info(), tsc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(mul: u32, shift: i8) -> TimeInfo {
        TimeInfo {
            version: 2,
            pad0: 0,
            tsc_timestamp: 1_000_000,
            system_time: 5_000_000_000,
            tsc_to_system_mul: mul,
            tsc_shift: shift,
            flags: 0,
            pad1: [0; 2],
        }
    }

    #[test]
    fn scales_tsc_ticks_to_nanoseconds() {
        // 2 GHz: 0.5 ns per tick = 2^31 / 2^32 with shift 0.
        let two_ghz = info(1 << 31, 0);
        assert_eq!(system_ns_at(&two_ghz, 1_000_000 + 2_000), 5_000_001_000);
        assert_eq!(system_ns_at(&two_ghz, 1_000_000 - 2_000), 4_999_999_000);
        // 4 GHz with a negative shift: (ticks >> 1) × 2^31 / 2^32.
        let shifted = info(1 << 31, -1);
        assert_eq!(system_ns_at(&shifted, 1_000_000 + 4_000), 5_000_001_000);
    }

    #[test]
    fn layout_matches_xen() {
        assert_eq!(core::mem::size_of::<TimeInfo>(), 32);
        assert_eq!(core::mem::size_of::<AddToPhysmap>(), 24);
    }
}

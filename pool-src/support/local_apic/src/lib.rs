//! The local APIC, for the x86 platforms (plat_kvm, and plat_xen, whose PVH domains get an
//! emulated one): x2APIC (MSR access) when the CPU has it, else xAPIC (MMIO at the address in
//! `IA32_APIC_BASE`, identity-mapped). Enables the APIC with the spurious vector, masks LINT0
//! (the 8259's ExtINT line) and the error interrupt, and drives the timer in TSC-deadline mode
//! when CPUID advertises it and the platform can turn a time into a TSC value, else in
//! one-shot mode. The platform passes its clock ([`Clock`]) to [`init`].

#![no_std]

use core::arch::x86_64::__cpuid;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

const IA32_APIC_BASE: u32 = 0x1b;
const APIC_BASE_ENABLE: u64 = 1 << 11;
const APIC_BASE_X2APIC: u64 = 1 << 10;
const IA32_TSC_DEADLINE: u32 = 0x6e0;
const X2APIC_MSR_BASE: u32 = 0x800;

pub const REG_ID: u32 = 0x20;
const REG_TPR: u32 = 0x80;
const REG_EOI: u32 = 0xb0;
const REG_SPURIOUS: u32 = 0xf0;
const REG_LVT_TIMER: u32 = 0x320;
const REG_LVT_LINT0: u32 = 0x350;
const REG_LVT_ERROR: u32 = 0x370;
const REG_TIMER_INITIAL: u32 = 0x380;
const REG_TIMER_CURRENT: u32 = 0x390;
const REG_TIMER_DIVIDE: u32 = 0x3e0;

const LVT_MASKED: u32 = 1 << 16;
const LVT_TSC_DEADLINE: u32 = 0b10 << 17;
const SPURIOUS_ENABLE: u32 = 1 << 8;
/// Divide configuration value for "divide by 16".
const DIVIDE_BY_16: u32 = 0b0011;
const TIMER_DIVISOR: u64 = 16;

/// Vector of the APIC's spurious interrupts (no EOI for them).
pub const SPURIOUS_VECTOR: u32 = 0xff;
/// Vector of the timer.
pub const TIMER_VECTOR: u32 = 0xf0;

/// What the APIC timer needs of the platform's clock.
pub struct Clock {
    /// The time-stamp counter.
    pub tsc: fn() -> u64,
    /// Its frequency.
    pub tsc_hz: fn() -> u64,
    /// The TSC value at monotonic time `ns`, for the TSC-deadline mode (None: one-shot mode).
    pub tsc_at: Option<fn(u64) -> u64>,
    /// Nanoseconds since boot.
    pub monotonic_ns: fn() -> u64,
}

/// The platform's clock, set once by [`init`].
static CLOCK: core::sync::atomic::AtomicPtr<Clock> =
    core::sync::atomic::AtomicPtr::new(core::ptr::null_mut());

fn clock() -> &'static Clock {
    let pointer = CLOCK.load(Ordering::Acquire);
    assert!(!pointer.is_null(), "local_apic used before init");
    // SAFETY: only `init` stores here, a `&'static Clock`.
    unsafe { &*pointer }
}

static X2APIC: AtomicBool = AtomicBool::new(false);
static MMIO_BASE: AtomicU64 = AtomicU64::new(0xfee0_0000);
static TSC_DEADLINE: AtomicBool = AtomicBool::new(false);
/// APIC timer input frequency (before the divider), 0 until known.
static TIMER_HZ: AtomicU64 = AtomicU64::new(0);

pub fn read_msr(msr: u32) -> u64 {
    let (low, high): (u32, u32);
    // SAFETY: only architectural MSRs that exist on every x86_64 with an APIC are named here.
    unsafe {
        core::arch::asm!("rdmsr", in("ecx") msr, out("eax") low, out("edx") high, options(nomem, nostack, preserves_flags))
    };
    (u64::from(high) << 32) | u64::from(low)
}

pub fn write_msr(msr: u32, value: u64) {
    // SAFETY: as for `read_msr`; the values written are the APIC's documented settings.
    unsafe {
        core::arch::asm!("wrmsr", in("ecx") msr, in("eax") value as u32, in("edx") (value >> 32) as u32, options(nostack, preserves_flags))
    };
}

pub fn read(register: u32) -> u32 {
    if X2APIC.load(Ordering::Relaxed) {
        read_msr(X2APIC_MSR_BASE + (register >> 4)) as u32
    } else {
        let address = MMIO_BASE.load(Ordering::Relaxed) + u64::from(register);
        // SAFETY: the APIC page is identity-mapped (below 4 GiB) and `register` is one of its
        // registers.
        unsafe { (address as *const u32).read_volatile() }
    }
}

pub fn write(register: u32, value: u32) {
    if X2APIC.load(Ordering::Relaxed) {
        write_msr(X2APIC_MSR_BASE + (register >> 4), u64::from(value));
    } else {
        let address = MMIO_BASE.load(Ordering::Relaxed) + u64::from(register);
        // SAFETY: as for `read`.
        unsafe { (address as *mut u32).write_volatile(value) };
    }
}

/// The APIC ID of this CPU (for IOAPIC destinations).
pub fn id() -> u32 {
    let raw = read(REG_ID);
    if X2APIC.load(Ordering::Relaxed) {
        raw
    } else {
        raw >> 24
    }
}

/// Which mode the APIC runs in, for the boot log and tests.
pub fn mode() -> &'static core::ffi::CStr {
    match (
        X2APIC.load(Ordering::Relaxed),
        TSC_DEADLINE.load(Ordering::Relaxed),
    ) {
        (true, true) => c"x2APIC, TSC-deadline timer",
        (true, false) => c"x2APIC, one-shot timer",
        (false, true) => c"xAPIC, TSC-deadline timer",
        (false, false) => c"xAPIC, one-shot timer",
    }
}

/// Enables the local APIC, timed by `clock`. Interrupts must be disabled.
pub fn init(clock: &'static Clock) {
    CLOCK.store((clock as *const Clock).cast_mut(), Ordering::Release);
    let features = __cpuid(1).ecx;
    let x2apic = features & (1 << 21) != 0;
    let deadline = features & (1 << 24) != 0 && clock.tsc_at.is_some();
    let mut base = read_msr(IA32_APIC_BASE);
    base |= APIC_BASE_ENABLE;
    if x2apic {
        base |= APIC_BASE_X2APIC;
    }
    write_msr(IA32_APIC_BASE, base);
    MMIO_BASE.store(base & 0x000f_ffff_ffff_f000, Ordering::Relaxed);
    X2APIC.store(x2apic, Ordering::Relaxed);
    TSC_DEADLINE.store(deadline, Ordering::Relaxed);
    write(REG_TPR, 0);
    write(REG_LVT_LINT0, LVT_MASKED);
    write(REG_LVT_ERROR, LVT_MASKED);
    write(REG_SPURIOUS, SPURIOUS_ENABLE | SPURIOUS_VECTOR);
    write(REG_TIMER_DIVIDE, DIVIDE_BY_16);
    let lvt = if deadline {
        TIMER_VECTOR | LVT_TSC_DEADLINE
    } else {
        TIMER_VECTOR
    };
    write(REG_LVT_TIMER, lvt);
}

/// Signals the end of an interrupt.
pub fn eoi() {
    write(REG_EOI, 0);
}

/// The APIC timer's input frequency: CPUID leaf 0x15's crystal (which clocks the APIC timer
/// on such CPUs), the hypervisor timing leaf's bus frequency, or else measured against the TSC
/// (median of three 1 ms samples). Measured once, on first use, not at boot.
fn timer_hz() -> u64 {
    let known = TIMER_HZ.load(Ordering::Relaxed);
    if known != 0 {
        return known;
    }
    let hz = timer_hz_from_cpuid().unwrap_or_else(measure_timer_hz);
    TIMER_HZ.store(hz, Ordering::Relaxed);
    hz
}

fn timer_hz_from_cpuid() -> Option<u64> {
    let max_leaf = __cpuid(0).eax;
    if max_leaf >= 0x15 {
        let crystal_hz = __cpuid(0x15).ecx;
        if crystal_hz != 0 {
            return Some(u64::from(crystal_hz));
        }
    }
    if __cpuid(1).ecx & (1 << 31) != 0 && __cpuid(0x4000_0000).eax >= 0x4000_0010 {
        let bus_khz = __cpuid(0x4000_0010).ebx;
        if bus_khz != 0 {
            return Some(u64::from(bus_khz) * 1000);
        }
    }
    None
}

fn measure_timer_hz() -> u64 {
    let mut samples = [measure_once(), measure_once(), measure_once()];
    samples.sort_unstable();
    samples[1]
}

/// Counts APIC timer ticks over about 1 ms of TSC time. Each end is bracketed by TSC reads and
/// taken at their middle, so a vCPU preempted around a read (common under TCG on a busy host)
/// skews one sample, which the median of three then drops.
fn measure_once() -> u64 {
    let tsc_hz = (clock().tsc_hz)();
    let window = tsc_hz / 1000;
    let before = (clock().tsc)();
    write(REG_TIMER_INITIAL, u32::MAX);
    let after = (clock().tsc)();
    let start = before + after.wrapping_sub(before) / 2;
    while (clock().tsc)().wrapping_sub(start) < window {
        core::hint::spin_loop();
    }
    let before = (clock().tsc)();
    let remaining = read(REG_TIMER_CURRENT);
    let after = (clock().tsc)();
    let end = before + after.wrapping_sub(before) / 2;
    write(REG_TIMER_INITIAL, 0);
    let counted = u64::from(u32::MAX - remaining) * TIMER_DIVISOR;
    let elapsed = end.wrapping_sub(start).max(1);
    (u128::from(counted) * u128::from(tsc_hz) / u128::from(elapsed)).max(1) as u64
}

/// Arms the one-shot timer for monotonic time `deadline_ns` (0 disarms).
pub fn set_timer(deadline_ns: u64) {
    if TSC_DEADLINE.load(Ordering::Relaxed) {
        let tsc = if deadline_ns == 0 {
            0
        } else {
            clock()
                .tsc_at
                .map_or(1, |tsc_at| tsc_at(deadline_ns).max(1))
        };
        write_msr(IA32_TSC_DEADLINE, tsc);
        return;
    }
    if deadline_ns == 0 {
        write(REG_TIMER_INITIAL, 0);
        return;
    }
    let delta_ns = deadline_ns.saturating_sub((clock().monotonic_ns)());
    let ticks =
        u128::from(delta_ns) * u128::from(timer_hz()) / (1_000_000_000 * u128::from(TIMER_DIVISOR));
    write(
        REG_TIMER_INITIAL,
        ticks.clamp(1, u128::from(u32::MAX)) as u32,
    );
}

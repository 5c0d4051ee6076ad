//! The TSC clock: frequency discovery and nanoseconds since entry.
//!
//! The frequency comes from the first source that reports one:
//! 1. CPUID leaf 0x15 (crystal clock × TSC/crystal ratio), when the crystal frequency is given;
//! 2. CPUID leaf 0x40000010 (hypervisor timing leaf, TSC kHz; KVM with QEMU's
//!    `vmware-cpuid-freq`, VMware, Cloud Hypervisor);
//! 3. CPUID leaf 0x16 (nominal base frequency in MHz);
//! 4. calibration against PIT channel 0 over 2 ms (QEMU's default CPU models under TCG have
//!    none of the leaves, so this is the usual path there; it costs 2 ms of boot time).
//!
//! If the PIT does not respond either, 1 GHz is assumed and a warning is printed. Time is
//! `(tsc - entry_tsc) * mult >> 32` with `mult = 10^9 · 2^32 / hz`, so it starts at the PVH
//! entry.

use crate::port::{inb, outb};
use core::arch::x86_64::__cpuid;
use core::sync::atomic::{AtomicU64, Ordering};

const PIT_HZ: u64 = 1_193_182;
/// PIT ticks to measure: 2 ms.
const PIT_CALIBRATION_TICKS: u16 = (PIT_HZ / 500) as u16;
const PIT_CHANNEL0_DATA: u16 = 0x40;
const PIT_COMMAND: u16 = 0x43;
/// Channel 0, low byte then high byte, mode 0 (interrupt on terminal count), binary.
const PIT_CHANNEL0_MODE0: u8 = 0b0011_0000;
/// Latches channel 0's current count for reading.
const PIT_CHANNEL0_LATCH: u8 = 0b0000_0000;
/// Polls of the counter before deciding that there is no PIT.
const MAX_PIT_POLLS: u32 = 200_000;
/// Bracketed PIT reads per sample (see `read_pit_with_tsc`).
const PIT_READ_TRIES: u32 = 3;
const PIC_MASTER_DATA: u16 = 0x21;
const PIC_SLAVE_DATA: u16 = 0xa1;
const FALLBACK_HZ: u64 = 1_000_000_000;
const NANOS_PER_SECOND: u64 = 1_000_000_000;

static ENTRY_TSC: AtomicU64 = AtomicU64::new(0);
static TSC_HZ: AtomicU64 = AtomicU64::new(FALLBACK_HZ);
static MULT: AtomicU64 = AtomicU64::new(1 << 32);

extern "C" {
    fn ukarch_tsc() -> u64;
}

pub fn tsc() -> u64 {
    // SAFETY: reads the TSC.
    unsafe { ukarch_tsc() }
}

pub fn entry_tsc() -> u64 {
    ENTRY_TSC.load(Ordering::Relaxed)
}

pub fn tsc_hz() -> u64 {
    TSC_HZ.load(Ordering::Relaxed)
}

fn cpuid(leaf: u32) -> (u32, u32, u32, u32) {
    let result = __cpuid(leaf);
    (result.eax, result.ebx, result.ecx, result.edx)
}

fn frequency_from_cpuid() -> Option<u64> {
    let (max_leaf, ..) = cpuid(0);
    if max_leaf >= 0x15 {
        let (denominator, numerator, crystal_hz, _) = cpuid(0x15);
        if denominator != 0 && numerator != 0 && crystal_hz != 0 {
            return Some(u64::from(crystal_hz) * u64::from(numerator) / u64::from(denominator));
        }
    }
    let (_, _, features, _) = cpuid(1);
    let under_hypervisor = features & (1 << 31) != 0;
    if under_hypervisor {
        let (max_hypervisor_leaf, ..) = cpuid(0x4000_0000);
        if max_hypervisor_leaf >= 0x4000_0010 {
            let (tsc_khz, ..) = cpuid(0x4000_0010);
            if tsc_khz != 0 {
                return Some(u64::from(tsc_khz) * 1000);
            }
        }
    }
    if max_leaf >= 0x16 {
        let (base_mhz, ..) = cpuid(0x16);
        if base_mhz != 0 {
            return Some(u64::from(base_mhz) * 1_000_000);
        }
    }
    None
}

fn read_pit_channel0() -> u16 {
    outb(PIT_COMMAND, PIT_CHANNEL0_LATCH);
    let low = inb(PIT_CHANNEL0_DATA);
    let high = inb(PIT_CHANNEL0_DATA);
    u16::from_le_bytes([low, high])
}

/// One PIT reading and the TSC at that moment, taken as the middle of TSC reads on both sides;
/// of a few tries, the one with the narrowest bracket, so that a vCPU preempted during a read
/// (common under TCG on a busy host) does not skew the result.
fn read_pit_with_tsc() -> (u16, u64) {
    let mut best = (0, 0, u64::MAX);
    for _ in 0..PIT_READ_TRIES {
        let before = tsc();
        let count = read_pit_channel0();
        let after = tsc();
        let width = after.wrapping_sub(before);
        if width < best.2 {
            best = (count, before + width / 2, width);
        }
    }
    (best.0, best.1)
}

/// Counts TSC cycles while PIT channel 0 counts down at least `PIT_CALIBRATION_TICKS`.
/// Channel 0 is used because its gate is always open; channel 2's gate and output live in port
/// 0x61, which QEMU's microvm does not have. The legacy PICs are masked first, so the channel's
/// terminal count never raises an interrupt, then or later.
fn frequency_from_pit() -> Option<u64> {
    outb(PIC_MASTER_DATA, 0xff);
    outb(PIC_SLAVE_DATA, 0xff);
    outb(PIT_COMMAND, PIT_CHANNEL0_MODE0);
    outb(PIT_CHANNEL0_DATA, 0xff);
    outb(PIT_CHANNEL0_DATA, 0xff);
    let (first, start) = read_pit_with_tsc();
    let mut polls = 0;
    loop {
        let counted = first.wrapping_sub(read_pit_channel0());
        if (PIT_CALIBRATION_TICKS..0x8000).contains(&counted) {
            break;
        }
        polls += 1;
        if polls == MAX_PIT_POLLS {
            return None;
        }
    }
    let (last, end) = read_pit_with_tsc();
    let counted = first.wrapping_sub(last);
    Some(end.wrapping_sub(start) * PIT_HZ / u64::from(counted))
}

/// Finds the TSC frequency; `entry_tsc` is time zero.
pub fn init(entry_tsc: u64) {
    ENTRY_TSC.store(entry_tsc, Ordering::Relaxed);
    let hz = frequency_from_cpuid()
        .or_else(frequency_from_pit)
        .unwrap_or_else(|| {
            crate::console::write(b"ukl: plat_kvm: TSC frequency unknown, assuming 1 GHz\n");
            FALLBACK_HZ
        });
    TSC_HZ.store(hz, Ordering::Relaxed);
    MULT.store((NANOS_PER_SECOND << 32) / hz, Ordering::Relaxed);
}

/// Nanoseconds since the PVH entry.
pub fn monotonic_ns() -> u64 {
    let delta = tsc().wrapping_sub(entry_tsc());
    ((u128::from(delta) * u128::from(MULT.load(Ordering::Relaxed))) >> 32) as u64
}

/// The TSC value at monotonic time `ns` (the inverse of [`monotonic_ns`], rounded up so that the
/// TSC has reached `ns` when it gets there).
pub fn tsc_at(ns: u64) -> u64 {
    let cycles = (u128::from(ns) * u128::from(tsc_hz())).div_ceil(u128::from(NANOS_PER_SECOND));
    entry_tsc().wrapping_add(cycles as u64)
}

//! Wall-clock time: the CMOS real-time clock, read once at boot.
//!
//! The RTC has a resolution of one second; the wall clock is that reading plus the monotonic
//! time elapsed since. Without an RTC (QEMU's microvm has none under KVM: every register reads
//! as 0xff) the wall clock starts at the Unix epoch.

use crate::port::{inb, outb};
use core::sync::atomic::{AtomicU64, Ordering};

const CMOS_INDEX: u16 = 0x70;
const CMOS_DATA: u16 = 0x71;
/// Setting bit 7 of the index keeps NMIs disabled while we access CMOS.
const NMI_DISABLE: u8 = 0x80;
const SECONDS: u8 = 0x00;
const MINUTES: u8 = 0x02;
const HOURS: u8 = 0x04;
const DAY: u8 = 0x07;
const MONTH: u8 = 0x08;
const YEAR: u8 = 0x09;
const STATUS_A: u8 = 0x0a;
const STATUS_B: u8 = 0x0b;
const CENTURY: u8 = 0x32;
const UPDATE_IN_PROGRESS: u8 = 0x80;
const BINARY_MODE: u8 = 0x04;
const TWENTY_FOUR_HOUR: u8 = 0x02;
const PM: u8 = 0x80;
/// An update cycle lasts under 2 ms; waiting longer means the RTC is broken.
const MAX_UPDATE_WAIT_NS: u64 = 3_000_000;
/// What an I/O port without a device reads as.
const NO_DEVICE: u8 = 0xff;

/// Wall-clock nanoseconds at the monotonic instant `BOOT_MONOTONIC_NS`.
static BOOT_WALL_NS: AtomicU64 = AtomicU64::new(0);
static BOOT_MONOTONIC_NS: AtomicU64 = AtomicU64::new(0);

fn read(register: u8) -> u8 {
    outb(CMOS_INDEX, NMI_DISABLE | register);
    inb(CMOS_DATA)
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct DateTime {
    year: u64,
    month: u64,
    day: u64,
    hours: u64,
    minutes: u64,
    seconds: u64,
}

fn read_raw() -> [u8; 7] {
    [
        read(SECONDS),
        read(MINUTES),
        read(HOURS),
        read(DAY),
        read(MONTH),
        read(YEAR),
        read(CENTURY),
    ]
}

fn from_bcd(value: u8) -> u64 {
    u64::from(value & 0x0f) + u64::from(value >> 4) * 10
}

fn decode(raw: [u8; 7], status_b: u8) -> Option<DateTime> {
    let number = |value: u8| {
        if status_b & BINARY_MODE != 0 {
            u64::from(value)
        } else {
            from_bcd(value)
        }
    };
    let [seconds, minutes, hours, day, month, year, century] = raw;
    let mut hours_24 = number(hours & !PM);
    if status_b & TWENTY_FOUR_HOUR == 0 {
        hours_24 %= 12;
        if hours & PM != 0 {
            hours_24 += 12;
        }
    }
    let century = match number(century) {
        19..=99 => number(century),
        _ => 20,
    };
    let time = DateTime {
        year: century * 100 + number(year),
        month: number(month),
        day: number(day),
        hours: hours_24,
        minutes: number(minutes),
        seconds: number(seconds),
    };
    let valid = (1..=12).contains(&time.month)
        && (1..=31).contains(&time.day)
        && time.hours < 24
        && time.minutes < 60
        && time.seconds < 61;
    valid.then_some(time)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
fn days_since_epoch(year: u64, month: u64, day: u64) -> i64 {
    let year = year as i64 - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = month as i64;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day as i64 - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn to_unix_seconds(time: DateTime) -> u64 {
    let days = days_since_epoch(time.year, time.month, time.day).max(0) as u64;
    days * 86_400 + time.hours * 3600 + time.minutes * 60 + time.seconds
}

/// Waits until no update cycle is in progress; false if that takes too long.
fn wait_for_update_end() -> bool {
    let start = crate::clock::monotonic_ns();
    while read(STATUS_A) & UPDATE_IN_PROGRESS != 0 {
        if crate::clock::monotonic_ns() - start > MAX_UPDATE_WAIT_NS {
            return false;
        }
    }
    true
}

/// Reads the RTC (until two readings agree, outside an update cycle). Needs the clock.
pub fn init() {
    if read(STATUS_A) == NO_DEVICE {
        return;
    }
    let mut previous = None;
    for _ in 0..4 {
        if !wait_for_update_end() {
            return;
        }
        let raw = read_raw();
        if previous == Some(raw) {
            break;
        }
        previous = Some(raw);
    }
    let Some(raw) = previous else { return };
    let Some(time) = decode(raw, read(STATUS_B)) else {
        return;
    };
    BOOT_MONOTONIC_NS.store(crate::clock::monotonic_ns(), Ordering::Relaxed);
    BOOT_WALL_NS.store(to_unix_seconds(time) * 1_000_000_000, Ordering::Relaxed);
}

/// Nanoseconds since the Unix epoch.
pub fn wall_ns() -> u64 {
    let elapsed = crate::clock::monotonic_ns() - BOOT_MONOTONIC_NS.load(Ordering::Relaxed);
    BOOT_WALL_NS.load(Ordering::Relaxed) + elapsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_days() {
        assert_eq!(days_since_epoch(1970, 1, 1), 0);
        assert_eq!(days_since_epoch(2000, 3, 1), 11_017);
        assert_eq!(days_since_epoch(2026, 11, 27), 20_784);
    }

    #[test]
    fn bcd_and_twelve_hour() {
        // 12:30:15 PM, 2026-11-27, BCD, 12-hour mode.
        let time = decode([0x15, 0x30, 0x92, 0x27, 0x11, 0x26, 0x20], 0).unwrap();
        assert_eq!((time.year, time.month, time.day), (2026, 11, 27));
        assert_eq!((time.hours, time.minutes, time.seconds), (12, 30, 15));
    }
}

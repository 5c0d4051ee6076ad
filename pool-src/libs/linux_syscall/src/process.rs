//! Process calls: exit, identity (one process, pid 1, root), `uname`, `getrandom` and
//! `arch_prctl` (the thread pointer in `FS_BASE`). Signals are [`crate::signals`].

use crate::errno::*;
use crate::platform::uk_boot_exit;
use core::sync::atomic::{AtomicU64, Ordering};

/// Our process and thread id.
pub const PID: i64 = 1;
const ARCH_SET_FS: u64 = 0x1002;
const ARCH_GET_FS: u64 = 0x1003;
const MSR_FS_BASE: u32 = 0xC000_0100;

pub fn exit(status: u64) -> ! {
    // SAFETY: a normal end of the program (boot runs the exit hooks, then stops the guest).
    unsafe { uk_boot_exit((status & 0xff) as i32) }
}

pub fn arch_prctl(code: u64, address: u64) -> i64 {
    match code {
        ARCH_SET_FS => {
            // SAFETY: writing FS_BASE changes only the thread pointer, which is what the
            // caller asked for.
            unsafe {
                core::arch::asm!("wrmsr", in("ecx") MSR_FS_BASE, in("eax") address as u32,
                    in("edx") (address >> 32) as u32, options(nostack, preserves_flags))
            };
            0
        }
        ARCH_GET_FS => {
            let (low, high): (u32, u32);
            // SAFETY: reading FS_BASE has no side effect.
            unsafe {
                core::arch::asm!("rdmsr", in("ecx") MSR_FS_BASE, out("eax") low, out("edx") high,
                    options(nostack, nomem, preserves_flags))
            };
            if address == 0 {
                return -EFAULT;
            }
            // SAFETY: the caller passed an `unsigned long *`.
            unsafe {
                (address as *mut u64).write_unaligned(u64::from(high) << 32 | u64::from(low))
            };
            0
        }
        _ => -EINVAL,
    }
}

/// `struct utsname`: six fields of 65 bytes.
pub fn uname(out: u64) -> i64 {
    if out == 0 {
        return -EFAULT;
    }
    let fields: [&[u8]; 6] = [
        b"Linux",
        b"ukl",
        b"6.1.0-ukl",
        b"#1 ukl unikernel",
        b"x86_64",
        b"(none)",
    ];
    for (i, field) in fields.iter().enumerate() {
        let slot = (out as usize + i * 65) as *mut u8;
        // SAFETY: the caller passed a `struct utsname` (6 × 65 bytes); each field fits.
        unsafe {
            core::ptr::write_bytes(slot, 0, 65);
            core::ptr::copy_nonoverlapping(field.as_ptr(), slot, field.len());
        }
    }
    0
}

static RANDOM_STATE: AtomicU64 = AtomicU64::new(0);

/// A xorshift64* stream seeded from the TSC at first use. Not cryptographic: there is no
/// entropy source on every platform yet (documented in docs/musl.md).
fn next_random() -> u64 {
    let mut state = RANDOM_STATE.load(Ordering::Relaxed);
    if state == 0 {
        // SAFETY: rdtsc has no side effect.
        state = unsafe { core::arch::x86_64::_rdtsc() } | 1;
    }
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    RANDOM_STATE.store(state, Ordering::Relaxed);
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

/// Fills `buffer` from the generator (`getrandom`, `/dev/urandom`).
pub fn fill_random(buffer: &mut [u8]) {
    for byte in buffer {
        *byte = next_random() as u8;
    }
}

pub fn getrandom(buffer: u64, len: u64) -> i64 {
    if buffer == 0 && len != 0 {
        return -EFAULT;
    }
    if len != 0 {
        // SAFETY: the caller passed `len` writable bytes.
        fill_random(unsafe { core::slice::from_raw_parts_mut(buffer as *mut u8, len as usize) });
    }
    len as i64
}

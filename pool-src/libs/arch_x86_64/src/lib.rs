//! ukl architecture library for x86_64: PVH entry, long mode, GDT/TSS/IDT, SSE, crash reports.
//!
//! Exports (see `exports.txt` and `include/uk/arch.h`): `_ukarch_pvh_start`, `ukarch_tsc`,
//! `ukarch_crash`, `ukarch_identity_map_bytes`, `ukarch_identity_map_extend`, interrupt control
//! (`ukarch_irq_*`, `ukarch_halt_irq`, `ukarch_vector_register`) thread contexts
//! (`ukarch_ctx_init`, `ukarch_ctx_switch`), guard pages (`ukarch_page_guard`,
//! `ukarch_page_unguard`), page protection (`ukarch_page_protect`, `ukarch_page_query`) and the
//! unmapped low memory (`ukarch_null_guard_bytes`, `ukarch_null_guard_install`). Imports from
//! the platform: `ukplat_entry_pvh`, `ukplat_console_write`, `ukplat_terminate`,
//! `ukplat_memregion_count`, `ukplat_memregion_get`; from the link script: `__uk_image_start`,
//! `__uk_rodata_start`, `__uk_data_start`, `__uk_image_end`; and `strlen`, which LLVM may
//! substitute for a byte loop (the pool's libc provides it, as `core` needs it anyway).
//!
//! Page tables, control registers, the EFER MSR, the page-fault error code, the GDT's
//! descriptors and the TSS use the `x86_64` crate (no default features: no nightly). The IDT is
//! written out in `idt.rs`: its 256 gates point at uniform `global_asm!` stubs, which the
//! crate's typed entries (one field type per exception) do not fit. The support crate
//! `memory_operand` decodes a faulting instruction's address where the hypervisor loses CR2.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod boot32;
mod context;
mod fault;
mod guard;
mod idt;
mod irq;
mod layout;
mod paging;
mod protect;
mod report;
mod segments;
mod trap;

pub use context::{ukarch_ctx_init, ukarch_ctx_switch, Context};
pub use guard::{ukarch_page_guard, ukarch_page_unguard};
pub use irq::{
    ukarch_halt_irq, ukarch_irq_disable, ukarch_irq_enable, ukarch_irq_enabled, ukarch_irq_restore,
    ukarch_irq_save, ukarch_vector_register,
};
pub use layout::{ukarch_null_guard_bytes, ukarch_null_guard_install};
pub use paging::{ukarch_identity_map_bytes, ukarch_identity_map_extend};
pub use protect::{ukarch_page_protect, ukarch_page_query};

use core::ffi::c_char;
use core::fmt::Write;

extern "C" {
    fn ukplat_entry_pvh(start_info_phys: u64, entry_tsc: u64) -> !;
}

/// First 64-bit code: gives the pages their permissions, loads the TSS and the IDT, then hands
/// over to the platform. Called by `boot32.rs` on the boot stack with `rbp` = 0 (the end of
/// every backtrace).
extern "C" fn long_mode_entry(start_info_phys: u64, entry_tsc: u64) -> ! {
    // SAFETY: runs once, on the boot CPU, right after the boot GDT was loaded; the guard page
    // belongs to the boot stack and holds nothing.
    unsafe {
        layout::protect_image(boot32::guard_page());
        segments::load();
        idt::load();
        fault::check_cr2(boot32::guard_page() + 8);
        ukplat_entry_pvh(start_info_phys, entry_tsc)
    }
}

/// The time-stamp counter.
#[no_mangle]
pub extern "C" fn ukarch_tsc() -> u64 {
    let low: u32;
    let high: u32;
    // SAFETY: `rdtsc` only reads the counter (CR4.TSD is clear, and we run in ring 0).
    unsafe {
        core::arch::asm!("rdtsc", out("eax") low, out("edx") high, options(nomem, nostack));
    }
    (u64::from(high) << 32) | u64::from(low)
}

/// Prints a crash report for a software-detected fatal error (`why` may be NULL), with a
/// backtrace of the caller, then ends the guest with status 127 through `ukplat_terminate`.
///
/// # Safety
/// `why` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn ukarch_crash(why: *const c_char) -> ! {
    let out = &mut report::Console;
    if !report::begin() {
        let _ = writeln!(out, "\nukl: nested crash during a crash report");
        report::end();
    }
    let _ = write!(out, "\nukl: crash: ");
    if why.is_null() {
        let _ = out.write_str("(no reason given)");
    } else {
        let mut len = 0;
        // SAFETY: the caller passes a NUL-terminated string; reading stops at the NUL.
        while unsafe { why.add(len).read() } != 0 {
            len += 1;
        }
        // SAFETY: the `len` bytes before the NUL were just read.
        let bytes = unsafe { core::slice::from_raw_parts(why.cast::<u8>(), len) };
        for &byte in bytes {
            let _ = out.write_char(if byte.is_ascii() { byte as char } else { '?' });
        }
    }
    let _ = writeln!(out);
    let rbp: u64;
    // SAFETY: reads the frame pointer register, nothing else.
    unsafe { core::arch::asm!("mov {}, rbp", out(reg) rbp, options(nomem, nostack)) };
    report::backtrace(out, None, rbp);
    report::end();
}

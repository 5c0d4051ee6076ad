//! ukl platform library for Xen PVH domains (dom0 or domU): Xen found through CPUID, the
//! hypercall page, the console (console_io, console ring or port 0xe9), the clock from the
//! shared info page, the memory regions from `hvm_start_info`, and the end of the domain
//! through `SCHEDOP_shutdown`, and a timer interrupt from the local APIC that Xen emulates
//! (`timer.rs`). Without event channels there are no device interrupts: the scheduler's idle
//! loop waits for deadlines with `SCHEDOP_yield` (`idle.rs`).
//!
//! Exports the same `ukplat_*` interface as plat_kvm (see `exports.txt`, plat_kvm's
//! `include/uk/plat.h` and `include/uk/plat_xen.h`). Imports: `ukarch_tsc`, `ukarch_crash`,
//! `ukarch_identity_map_bytes`, `ukarch_identity_map_extend`, `ukarch_null_guard_bytes`,
//! `ukarch_null_guard_install` (arch), `uk_boot_main` (boot),
//! the link-script symbols `__uk_image_start` and `__uk_image_end`.
//!
//! The start-info and memory-region code is plat_kvm's (the same PVH structures), compiled
//! into this library from plat_kvm's sources.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod clock;
mod console;
mod hypercall;
mod idle;
#[path = "../../plat_kvm/src/memory.rs"]
mod memory;
mod memory_map;
mod notes;
#[path = "../../plat_kvm/src/pvh_shared.rs"]
mod pvh_shared;
mod ring;
mod shutdown;
#[path = "../../plat_kvm/src/start_info.rs"]
mod start_info;
mod timer;

use core::ffi::c_char;
use core::fmt::Write;
use start_info::BootInfo;

/// `hvm_start_info.flags`: this is the initial domain (`SIF_INITDOMAIN`).
const SIF_INITDOMAIN: u32 = 1 << 1;

extern "C" {
    fn ukarch_crash(why: *const c_char) -> !;
    fn uk_boot_main() -> !;
    fn ukarch_irq_enable();
}

/// The start info, with the memory map from Xen when it has none (a Xen 4.17 dom0).
///
/// # Safety
/// As for [`BootInfo::read`]; called once, during boot.
unsafe fn read_start_info(phys: u64) -> Result<BootInfo, start_info::StartInfoError> {
    // SAFETY: the caller's promise.
    match unsafe { BootInfo::read(phys) } {
        Err(start_info::StartInfoError::NoMemoryMap) => {
            // SAFETY: the magic was checked and the memory is mapped; the fields past version 0
            // are overwritten by `from_hypervisor` before use.
            let mut info = unsafe { (phys as *const start_info::StartInfo).read_unaligned() };
            // SAFETY: single-threaded boot.
            if unsafe { memory_map::from_hypervisor(&mut info) } {
                Ok(BootInfo { phys, info })
            } else {
                Err(start_info::StartInfoError::NoMemoryMap)
            }
        }
        other => other,
    }
}

/// Platform entry, called by the architecture library in long mode on the boot stack.
///
/// # Safety
/// Called once, by `_ukarch_pvh_start`, with the address the PVH loader passed in `ebx`.
#[no_mangle]
pub unsafe extern "C" fn ukplat_entry_pvh(start_info_phys: u64, entry_tsc: u64) -> ! {
    let xen = hypercall::detect();
    let hypercalls = xen.is_some_and(hypercall::install);
    console::init();
    if !hypercalls {
        let _ = writeln!(
            console::Console,
            "ukl: plat_xen: {}: console on I/O port 0xe9",
            if xen.is_some() {
                "Xen offers no usable hypercall page"
            } else {
                "not running on Xen"
            }
        );
    }
    // SAFETY: the loader passed this address; the first 4 GiB are identity-mapped.
    let boot = match unsafe { read_start_info(start_info_phys) } {
        Ok(boot) => boot,
        // SAFETY: the message is NUL-terminated.
        Err(error) => unsafe { ukarch_crash(error.message().as_ptr()) },
    };
    shutdown::set_control_domain(boot.info.flags & SIF_INITDOMAIN != 0);
    // SAFETY: single-threaded boot, once; nothing reads the boot state yet.
    unsafe { pvh_shared::publish(&boot, "plat_xen", "domain") };
    clock::init(entry_tsc);
    if timer::init() {
        // SAFETY: every vector has a handler (or a crash report) and an IST stack; the timer is
        // not armed yet.
        unsafe { ukarch_irq_enable() };
    }
    // SAFETY: the boot library's entry point; it never returns.
    unsafe { uk_boot_main() }
}

/// Nanoseconds since the Unix epoch (Xen's wallclock plus system time).
#[no_mangle]
pub extern "C" fn ukplat_wall_ns() -> u64 {
    clock::wall_ns()
}

/// Ends the domain: prints `ukl: exit status <status>`, then `SCHEDOP_shutdown` (see
/// [`shutdown`]).
#[no_mangle]
pub extern "C" fn ukplat_terminate(status: i32) -> ! {
    shutdown::terminate(status)
}

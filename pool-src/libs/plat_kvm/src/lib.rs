//! ukl platform library for KVM/QEMU (and any PVH loader with a 16550 UART and a debug-exit
//! device): boot information, memory regions, console, clocks and termination.
//!
//! Exports (see `exports.txt` and `include/uk/plat.h`): `ukplat_entry_pvh`,
//! `ukplat_console_write`, `ukplat_memregion_count`, `ukplat_memregion_get`, `ukplat_cmdline`,
//! `ukplat_monotonic_ns`, `ukplat_wall_ns`, `ukplat_boot_tsc`, `ukplat_tsc_hz`,
//! `ukplat_terminate`, and interrupts: `ukplat_irq_register`, `ukplat_irq_set_mode`,
//! `ukplat_irq_mask`, `ukplat_irq_unmask`, `ukplat_irq_handlers`, `ukplat_irq_count`,
//! `ukplat_timer_set`, `ukplat_halt_irq_until`, `ukplat_apic_mode`. Imports: `ukarch_tsc`, `ukarch_crash`, `ukarch_identity_map_bytes`,
//! `ukarch_identity_map_extend`, `ukarch_null_guard_bytes`, `ukarch_null_guard_install`,
//! `ukarch_irq_*`, `ukarch_halt_irq`,
//! `ukarch_vector_register` (arch), `uk_boot_main`, `uk_idle_set`, `uk_idle_wake`,
//! `uk_idle_take_wake` (boot; the platform's idle hook is in `idle.rs`), the link-script symbols
//! `__uk_image_start` and `__uk_image_end`.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod apic;
mod clock;
mod console;
mod idle;
mod ioapic;
mod irq;
mod memory;
mod port;
mod pvh_shared;
mod rtc;
mod start_info;

use core::ffi::c_char;
use start_info::BootInfo;

/// The isa-debug-exit device (`-device isa-debug-exit,iobase=0xf4,iosize=4`).
const DEBUG_EXIT_PORT: u16 = 0xf4;

extern "C" {
    fn ukarch_crash(why: *const c_char) -> !;
    fn uk_boot_main() -> !;
    fn ukarch_irq_enable();
    fn ukarch_halt_irq();
}

/// Platform entry, called by the architecture library in long mode on the boot stack.
///
/// # Safety
/// Called once, by `_ukarch_pvh_start`, with the address the PVH loader passed in `ebx`.
#[no_mangle]
pub unsafe extern "C" fn ukplat_entry_pvh(start_info_phys: u64, entry_tsc: u64) -> ! {
    console::init();
    // SAFETY: the loader passed this address; the first 4 GiB are identity-mapped.
    let boot = match unsafe { BootInfo::read(start_info_phys) } {
        Ok(boot) => boot,
        // SAFETY: the message is NUL-terminated.
        Err(error) => unsafe { ukarch_crash(error.message().as_ptr()) },
    };
    // SAFETY: single-threaded boot, once; nothing reads the boot state yet.
    unsafe { pvh_shared::publish(&boot, "plat_kvm", "guest") };
    clock::init(entry_tsc);
    rtc::init();
    irq::init();
    idle::install();
    // SAFETY: every vector has a handler (or a crash report) and an IST stack; nothing is
    // unmasked or armed yet.
    unsafe { ukarch_irq_enable() };
    // SAFETY: the boot library's entry point; it never returns.
    unsafe { uk_boot_main() }
}

/// Nanoseconds since the Unix epoch (CMOS RTC at boot plus monotonic time).
#[no_mangle]
pub extern "C" fn ukplat_wall_ns() -> u64 {
    rtc::wall_ns()
}

/// Ends the guest: writes `status` to the debug-exit port (QEMU exits with
/// `((status << 1) | 1) & 0xff`); without that device, halts the CPU with interrupts disabled,
/// forever (the VMM sees an idle guest).
#[no_mangle]
pub extern "C" fn ukplat_terminate(status: i32) -> ! {
    port::outl(DEBUG_EXIT_PORT, status as u32);
    loop {
        // SAFETY: stops this CPU for good; interrupts are disabled so `hlt` never returns.
        unsafe { core::arch::asm!("cli", "hlt", options(nomem, nostack)) };
    }
}

/// Adds `handler` to `irq` (a GSI, or `UKPLAT_IRQ_TIMER`) and unmasks it. Returns 0, -22
/// (EINVAL: unknown irq or NULL handler) or -28 (ENOSPC: four handlers already).
#[no_mangle]
pub extern "C" fn ukplat_irq_register(
    irq: u32,
    handler: Option<irq::Handler>,
    arg: *mut core::ffi::c_void,
) -> i32 {
    irq::register(irq, handler, arg)
}

/// Sets the trigger mode of a GSI (`UKPLAT_IRQ_LEVEL` 1, `UKPLAT_IRQ_ACTIVE_LOW` 2; 0 = edge,
/// active high). Returns 0 or -22 (EINVAL).
#[no_mangle]
pub extern "C" fn ukplat_irq_set_mode(irq: u32, mode: u32) -> i32 {
    irq::set_mode(irq, mode)
}

/// Masks a GSI at its IOAPIC.
#[no_mangle]
pub extern "C" fn ukplat_irq_mask(irq: u32) {
    irq::set_masked(irq, true);
}

/// Unmasks a GSI at its IOAPIC.
#[no_mangle]
pub extern "C" fn ukplat_irq_unmask(irq: u32) {
    irq::set_masked(irq, false);
}

/// Number of registered device (non-timer) handlers.
#[no_mangle]
pub extern "C" fn ukplat_irq_handlers() -> u32 {
    irq::device_handlers()
}

/// Number of interrupts delivered on `irq` since boot (0 for an unknown irq).
#[no_mangle]
pub extern "C" fn ukplat_irq_count(irq: u32) -> u64 {
    irq::count(irq)
}

/// Arms the one-shot timer for monotonic time `deadline_ns` (0 cancels).
#[no_mangle]
pub extern "C" fn ukplat_timer_set(deadline_ns: u64) {
    apic::set_timer(deadline_ns);
}

/// With interrupts disabled: arms the timer for `deadline_ns` (`u64::MAX`: none), halts until an
/// interrupt has been handled, and returns with interrupts disabled; at once if the deadline
/// has passed.
#[no_mangle]
pub extern "C" fn ukplat_halt_irq_until(deadline_ns: u64) {
    if deadline_ns != u64::MAX {
        if clock::monotonic_ns() >= deadline_ns {
            return;
        }
        apic::set_timer(deadline_ns);
    }
    // SAFETY: the architecture's `sti; hlt; cli`.
    unsafe { ukarch_halt_irq() };
}

/// A description of the interrupt hardware in use ("xAPIC, one-shot timer", ...).
#[no_mangle]
pub extern "C" fn ukplat_apic_mode() -> *const c_char {
    apic::mode().as_ptr()
}

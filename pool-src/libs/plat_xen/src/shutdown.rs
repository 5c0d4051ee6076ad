//! Ending the domain: the exit status goes on the console, then `SCHEDOP_shutdown`.
//!
//! A domU asks for `SHUTDOWN_poweroff` on status 0 and `SHUTDOWN_crash` otherwise; the
//! toolstack (`xl`) reports the reason. A dom0 has no toolstack above it: Xen answers its
//! poweroff by halting every CPU forever (no ACPI power-off), so dom0 asks for
//! `SHUTDOWN_reboot` on status 0 — Xen resets the machine at once ("Hardware Dom0 shutdown:
//! rebooting machine"), which ends a QEMU started with `-no-reboot` — and `SHUTDOWN_crash`
//! otherwise ("Hardware Dom0 crashed", reset after 5 s unless Xen has `noreboot`). Either
//! way the status itself is only in the console line `ukl: exit status N`.

use crate::console::{self, Console};
use crate::hypercall::{self, SCHED_OP};
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, Ordering};

const SCHEDOP_SHUTDOWN: u64 = 2;
const SHUTDOWN_POWEROFF: u32 = 0;
const SHUTDOWN_REBOOT: u32 = 1;
const SHUTDOWN_CRASH: u32 = 3;

static CONTROL_DOMAIN: AtomicBool = AtomicBool::new(false);

/// Records whether this domain is the initial (control) domain.
pub fn set_control_domain(is_dom0: bool) {
    CONTROL_DOMAIN.store(is_dom0, Ordering::Relaxed);
}

/// The `SCHEDOP_shutdown` reason for `status`.
fn reason(status: i32) -> u32 {
    match (status, CONTROL_DOMAIN.load(Ordering::Relaxed)) {
        (0, true) => SHUTDOWN_REBOOT,
        (0, false) => SHUTDOWN_POWEROFF,
        _ => SHUTDOWN_CRASH,
    }
}

/// `struct sched_shutdown`.
#[repr(C)]
struct SchedShutdown {
    reason: u32,
}

pub fn terminate(status: i32) -> ! {
    let _ = writeln!(Console, "ukl: exit status {status}");
    console::flush();
    let mut request = SchedShutdown {
        reason: reason(status),
    };
    // SAFETY: SCHEDOP_shutdown reads the reason from the structure passed by pointer; it does
    // not return when it succeeds.
    unsafe {
        hypercall::call3(
            SCHED_OP,
            SCHEDOP_SHUTDOWN,
            core::ptr::addr_of_mut!(request) as u64,
            0,
        )
    };
    loop {
        // SAFETY: without Xen (or if it refused), stop this CPU for good; Xen treats a `hlt`
        // with interrupts disabled in an HVM domain as a poweroff.
        unsafe { core::arch::asm!("cli", "hlt", options(nomem, nostack)) };
    }
}
